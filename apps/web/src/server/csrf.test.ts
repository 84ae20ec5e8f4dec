/**
 * The CSRF guard (./same-origin.ts) as an attacker meets it: through the real tRPC route
 * handler, with a valid session cookie, varying only what a cross-site page (or a forged
 * request) controls. Every refusal also checks the mutation did nothing.
 */
import { describe, expect, it } from "vitest";
import { POST } from "~/app/api/trpc/[trpc]/route";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { sessionCookieName } from "./session-cookies";
import { newSessionCookies } from "./session-tokens";

const database = setupTestDatabase();
const OURS = { origin: "http://localhost:3000", host: "localhost:3000" }; // AUTH_ISSUER in tests

async function sessionCookie(): Promise<string> {
  const user = await createTestUser(database.current.db);
  const cookies = await newSessionCookies(user, "vitest");
  return cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
}

/** `account.signOutEverywhere` (a cookie-authenticated mutation) with these headers and a JSON body. */
function signOutEverywhere(headers: Record<string, string>) {
  return createTRPCRequest("account.signOutEverywhere", headers, { method: "POST" });
}

/** What a cross-site `<form enctype="multipart/form-data" method="post">` sends: tRPC accepts it. */
function multipartSignOutEverywhere(headers: Record<string, string>) {
  const form = new FormData();
  form.set("anything", "1");
  return POST(
    new Request("http://localhost:3000/api/trpc/account.signOutEverywhere", { method: "POST", headers, body: form }),
  );
}

/** Proves a refused request changed nothing: the session it tried to revoke is still there. */
async function expectSessionStillLive(cookie: string) {
  const response = await signOutEverywhere({ cookie, ...OURS });
  expect((await response.json()).result.data.json.revoked).toBe(1);
}

async function expectRefused(response: Response, cookie: string) {
  expect(response.status).toBe(403);
  expect((await response.json()).error.json.message).toBe("Cross-site request refused (CSRF protection)");
  await expectSessionStillLive(cookie);
}

describe("cookie-authenticated mutations (CSRF)", () => {
  it("accepts a same-origin JSON mutation", async () => {
    const response = await signOutEverywhere({ cookie: await sessionCookie(), ...OURS });
    expect(response.status).toBe(200);
    expect((await response.json()).result.data.json.revoked).toBe(1);
  });

  it("accepts an Origin matching the request's own Host - the app opened at 127.0.0.1", async () => {
    const cookie = await sessionCookie();
    const response = await signOutEverywhere({ cookie, origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" });
    expect(response.status).toBe(200);
  });

  it("accepts the configured public origin - behind a proxy that rewrites Host", async () => {
    const cookie = await sessionCookie();
    const response = await signOutEverywhere({ cookie, origin: OURS.origin, host: "web-internal:8080" });
    expect(response.status).toBe(200);
  });

  it("refuses a cross-site origin - 403", async () => {
    const cookie = await sessionCookie();
    await expectRefused(await signOutEverywhere({ cookie, origin: "https://evil.example", host: OURS.host }), cookie);
  });

  it("refuses a request without Origin - 403", async () => {
    const cookie = await sessionCookie();
    await expectRefused(await signOutEverywhere({ cookie, host: OURS.host }), cookie);
  });

  it("refuses a request without Origin that the browser marks cross-site - 403", async () => {
    const cookie = await sessionCookie();
    await expectRefused(await signOutEverywhere({ cookie, host: OURS.host, "sec-fetch-site": "cross-site" }), cookie);
  });

  it("refuses Origin: null (sandboxed frame, cross-origin redirect) - 403", async () => {
    const cookie = await sessionCookie();
    await expectRefused(await signOutEverywhere({ cookie, origin: "null", host: OURS.host }), cookie);
  });

  it("refuses the same host on another port - 403, another origin", async () => {
    const cookie = await sessionCookie();
    await expectRefused(await signOutEverywhere({ cookie, origin: "http://localhost:3001", host: OURS.host }), cookie);
  });

  it("refuses an attacker Origin with a matching forged X-Forwarded-Host - 403, the header is never trusted", async () => {
    const cookie = await sessionCookie();
    const headers = { cookie, origin: "https://evil.example", host: OURS.host, "x-forwarded-host": "evil.example" };
    await expectRefused(await signOutEverywhere(headers), cookie);
  });

  it("refuses a cross-site multipart form post - 403 from the guard, not 415 from tRPC", async () => {
    const cookie = await sessionCookie();
    await expectRefused(await multipartSignOutEverywhere({ cookie, origin: "https://evil.example" }), cookie);
  });

  it("refuses a multipart post even from our own origin - 403, only JSON needs a preflight cross-site", async () => {
    const cookie = await sessionCookie();
    await expectRefused(await multipartSignOutEverywhere({ cookie, ...OURS }), cookie);
  });

  it("refuses text/plain before any middleware - 415 from tRPC itself, nothing done", async () => {
    const cookie = await sessionCookie();
    const response = await signOutEverywhere({ cookie, ...OURS, "content-type": "text/plain" });
    expect(response.status).toBe(415);
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
