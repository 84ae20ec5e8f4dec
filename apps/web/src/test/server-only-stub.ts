// Tests run server code outside React Server Components; the real module would throw.
export {};
