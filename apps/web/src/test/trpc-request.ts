import { GET, POST } from "~/app/api/trpc/[trpc]/route";

/** Calls a procedure through the real route handler, as a client would over HTTP. */
export function createTRPCRequest(
  path: string,
  headers: Record<string, string>,
  options: { method?: "GET" | "POST"; input?: unknown } = {},
): Promise<Response> {
  const method = options.method ?? "GET";
  const base = `http://localhost:3000/api/trpc/${path}`;
  const body = options.input === undefined ? undefined : JSON.stringify({ json: options.input });
  if (method === "GET") {
    const url = body ? `${base}?input=${encodeURIComponent(body)}` : base;
    return GET(new Request(url, { headers }));
  }
  return POST(
    new Request(base, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: body ?? "{}",
    }),
  );
}
