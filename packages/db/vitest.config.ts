import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A fresh PGlite runs initdb (4–5 s); under parallel turbo tasks the 5 s default is too tight.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["./src/testing-setup.ts"],
  },
});
