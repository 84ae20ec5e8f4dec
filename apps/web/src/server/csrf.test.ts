import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { sessionCookieName } from "./session-cookies";
import { newSessionCookies } from "./session-tokens";

const database = setupTestDatabase();

async function sessionCookie(): Promise<string> {
  const user = await createTestUser(database.current.db);
  const cookies = await newSessionCookies(user, "vitest");
  return cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
}

/** Proves a refused request changed nothing: the session it tried to revoke is still there. */
async function expectSessionStillLive(cookie: string) {
  const response = await createTRPCRequest(
    "account.signOutEverywhere",
    { cookie, origin: "http://localhost:3000", host: "localhost:3000" },
    { method: "POST" },
  );
  expect((await response.json()).result.data.json.revoked).toBe(1);
}

describe("cookie-authenticated mutations (CSRF)", () => {
  it("accepts a same-origin JSON mutation", async () => {
    const cookie = await sessionCookie();
    const response = await createTRPCRequest(
      "account.signOutEverywhere",
      { cookie, origin: "http://localhost:3000", host: "localhost:3000" },
      { method: "POST" },
    );
    expect(response.status).toBe(200);
    expect((await response.json()).result.data.json.revoked).toBe(1);
  });

  it("refuses a cross-site origin - 403", async () => {
    const cookie = await sessionCookie();
    const response = await createTRPCRequest(
      "account.signOutEverywhere",
      { cookie, origin: "https://evil.example", host: "localhost:3000" },
      { method: "POST" },
    );
    expect(response.status).toBe(403);
    await expectSessionStillLive(cookie);
  });

  it("refuses a request without Origin - 403", async () => {
    const cookie = await sessionCookie();
    const response = await createTRPCRequest(
      "account.signOutEverywhere",
      { cookie, host: "localhost:3000" },
      { method: "POST" },
    );
    expect(response.status).toBe(403);
    await expectSessionStillLive(cookie);
  });

  it("refuses a body a cross-site form could send (text/plain) - 4xx, nothing done", async () => {
    const cookie = await sessionCookie();
    const response = await createTRPCRequest(
      "account.signOutEverywhere",
      { cookie, origin: "http://localhost:3000", host: "localhost:3000", "content-type": "text/plain" },
      { method: "POST" },
    );
    expect([403, 415]).toContain(response.status);
    await expectSessionStillLive(cookie);
  });

  it("lets queries through with the cookie alone", async () => {
    const response = await createTRPCRequest("auth.me", { cookie: await sessionCookie() });
    expect(response.status).toBe(200);
  });

  it("treats an expired or forged session cookie as signed out, not as an error", async () => {
    const response = await createTRPCRequest("auth.session", { cookie: `${sessionCookieName()}=not.a.jwt` });
    expect(response.status).toBe(200);
    expect((await response.json()).result.data.json).toBeNull();
  });
});
