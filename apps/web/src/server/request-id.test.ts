/**
 * One request id per request: chosen by the proxy (a safe incoming X-Request-Id kept, anything
 * else replaced), forwarded to the route, returned in X-Request-Id, and named as `instance` in
 * every problem body — the proxy's own, the route boundary's, `@gatehouse/auth`'s and tRPC's.
 */
import { Unauthorized } from "@gatehouse/auth/errors";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "~/proxy";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { withErrorBoundary } from "./http/with-error-boundary";

setupTestDatabase();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the proxy's request id", () => {
  it("keeps a safe incoming X-Request-Id, forwards it to the route and returns it", async () => {
    const id = "0123456789abcdef0123456789abcdef";
    const response = await proxy(
      new NextRequest("http://localhost:3000/api/health", { headers: { "x-request-id": id } }),
    );
    expect(response.headers.get("x-request-id")).toBe(id);
    expect(response.headers.get("x-middleware-request-x-request-id")).toBe(id);
  });

  it("replaces an unsafe one with a fresh UUID, the same on the answer and the forwarded request", async () => {
    const response = await proxy(
      new NextRequest("http://localhost:3000/login", { headers: { "x-request-id": '"><script>x</script>' } }),
    );
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    expect(response.headers.get("x-middleware-request-x-request-id")).toBe(id);
  });

  it("names it as instance in its own problem bodies (CSRF refusal)", async () => {
    const response = await proxy(
      new NextRequest("http://localhost:3000/login", {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
        body: "a=b",
      }),
    );
    expect(response.status).toBe(403);
    expect((await response.json()).instance).toBe(`urn:uuid:${response.headers.get("x-request-id")}`);
  });
});

describe("a route's problem bodies", () => {
  it("carry the forwarded id as instance, also those @gatehouse/auth builds", async () => {
    const id = crypto.randomUUID();
    const route = withErrorBoundary("test route", async (_request: Request) => new Unauthorized().toResponse());
    const response = await route(new Request("http://localhost:3000/x", { headers: { "x-request-id": id } }));
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("x-request-id")).toBe(id);
    expect(await response.json()).toMatchObject({ status: 401, code: "invalid_token", instance: `urn:uuid:${id}` });
  });

  it("tRPC's problem carries it too", async () => {
    const id = crypto.randomUUID();
    const response = await createTRPCRequest("notes.list", { "x-request-id": id });
    expect(response.status).toBe(401);
    expect((await response.json()).error.json.data.problem).toMatchObject({ status: 401, instance: `urn:uuid:${id}` });
  });
});
