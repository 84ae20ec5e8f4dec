/**
 * Cookie tossing (RFC 6265bis §8.6): a sibling subdomain sets its own session cookie for our
 * host, and the browser sends both. With two cookies of one name we cannot tell ours, so the
 * request counts as signed out — at the tRPC route and in the proxy that renews sessions.
 */
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "~/proxy";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { refreshCookieName, sessionCookieName } from "./session-cookies";
import { newSessionCookies } from "./session-tokens";

const database = setupTestDatabase();
const SAME_ORIGIN = { origin: "http://localhost:3000", host: "localhost:3000" };

/** A fresh sign-in's access and refresh token. */
async function signIn(): Promise<{ access: string; refresh: string }> {
  const user = await createTestUser(database.current.db);
  const [access, refresh] = await newSessionCookies(user, "vitest");
  return { access: access?.value ?? "", refresh: refresh?.value ?? "" };
}

function proxied(cookie: string): Promise<Response> {
  return proxy(new NextRequest("http://localhost:3000/account", { headers: { cookie } }));
}

describe("two session cookies of one name - signed out", () => {
  it("answers auth.session with null and auth.me with 401 - the attacker's and the victim's token side by side", async () => {
    const victim = await signIn();
    const attacker = await signIn();
    const tossed = `${sessionCookieName()}=${attacker.access}; ${sessionCookieName()}=${victim.access}`;

    const session = await createTRPCRequest("auth.session", { cookie: tossed });
    expect(session.status).toBe(200);
    expect((await session.json()).result.data.json).toBeNull();
    expect((await createTRPCRequest("auth.me", { cookie: tossed })).status).toBe(401);
    // Either cookie alone is a signed-in caller: the refusal is about the pair.
    expect((await createTRPCRequest("auth.me", { cookie: `${sessionCookieName()}=${victim.access}` })).status).toBe(
      200,
    );
  });

  it("refuses a same-origin mutation - 401, the session is untouched", async () => {
    const victim = await signIn();
    const single = `${sessionCookieName()}=${victim.access}`;
    const response = await createTRPCRequest(
      "account.signOutEverywhere",
      { cookie: `${single}; ${single}`, ...SAME_ORIGIN },
      { method: "POST" },
    );
    expect(response.status).toBe(401);
    const check = await createTRPCRequest(
      "account.signOutEverywhere",
      { cookie: single, ...SAME_ORIGIN },
      { method: "POST" },
    );
    expect((await check.json()).result.data.json.revoked).toBe(1);
  });

  it("does not renew in the proxy - no Set-Cookie, neither refresh token spent", async () => {
    const victim = await signIn();
    const attacker = await signIn();
    const tossed = `${refreshCookieName()}=${attacker.refresh}; ${refreshCookieName()}=${victim.refresh}`;
    const response = await proxied(tossed);
    expect(response.headers.get("set-cookie")).toBeNull();
    // The page sees the request as it came: no renewed pair slipped in.
    expect(response.headers.get("x-middleware-request-cookie")).toBe(tossed);

    // Each alone is still live and renews: nothing was rotated by the refused request.
    for (const refresh of [attacker.refresh, victim.refresh]) {
      const renewed = await proxied(`${refreshCookieName()}=${refresh}`);
      expect(renewed.headers.get("set-cookie")).toContain(`${sessionCookieName()}=`);
    }
  });
});
