/**
 * A procedure that waits on a database that never answers (a query queued for a pool that
 * cannot reconnect) answers 503 with Retry-After at the deadline, instead of hanging.
 */

import { issueApiKey } from "@gatehouse/auth/api-key";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createTRPCRequest } from "~/test/trpc-request";
import { getAuth } from "./auth";
import { withinDeadline } from "./request-deadline";
import { scopeValidator as validator } from "./scopes";

// env() is read lazily, on the first request: this is the deadline every procedure here gets.
process.env.REQUEST_TIMEOUT_MS = "300";
// The worker process may run other files next: they must not inherit this deadline.
afterAll(() => {
  delete process.env.REQUEST_TIMEOUT_MS;
});

afterEach(() => {
  vi.useRealTimers();
  (globalThis as { gatehouseDb?: Promise<unknown> }).gatehouseDb = undefined;
});

describe("withinDeadline", () => {
  it("passes a result through when it settles in time", async () => {
    await expect(withinDeadline(Promise.resolve(42), 1000)).resolves.toBe(42);
  });

  it("throws a 503 ServiceUnavailable at the deadline - pinned clock", async () => {
    vi.useFakeTimers();
    const pending = withinDeadline(new Promise(() => {}), 1000);
    const settled = expect(pending).rejects.toMatchObject({ status: 503, headers: { "retry-after": "5" } });
    await vi.advanceTimersByTimeAsync(1000);
    await settled;
  });
});

describe("a procedure whose database never answers", () => {
  it("answers 503 with Retry-After at REQUEST_TIMEOUT_MS, not never", async () => {
    (globalThis as { gatehouseDb?: Promise<unknown> }).gatehouseDb = new Promise(() => {});
    const { issuer } = await getAuth();
    const token = await issuer.createAccessToken({ sub: crypto.randomUUID(), kind: "user", scope: "notes:read" });
    const response = await createTRPCRequest("notes.list", { authorization: `Bearer ${token.access_token}` });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect((await response.json()).error.json.data.problem).toMatchObject({ status: 503 });
  });

  it("answers 503 at the deadline when authenticating an API key needs it - a key never seen, not never", async () => {
    (globalThis as { gatehouseDb?: Promise<unknown> }).gatehouseDb = new Promise(() => {});
    const { key } = issueApiKey({
      scopes: ["notes:read"],
      ownerScopes: ["notes:read"],
      validator,
      environment: "test",
    });
    const response = await createTRPCRequest("auth.me", { "x-api-key": key });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });
});
