/**
 * #11 §1 password change: `account.changePassword` through the real tRPC route handler. The
 * current password is required; afterwards the old password fails, every other sign-in and
 * every access token issued before it are 401, and the caller continues on a fresh session;
 * the security log gets `password.changed`.
 * Only the request's cookie jar (a route handler's `cookies()`) is replaced.
 */
import { listUserAuthEvents } from "@gatehouse/db/auth-events";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { env } from "~/env";
import { passwordToken, sessionHeaders, tokenRequest } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { buildAuthServices, getAuth } from "./auth";
import { changePassword } from "./password-change";
import { refreshCookieName, sessionCookieName } from "./session-cookies";

const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    set: (name: string, value: string) => jar.set(name, value),
    delete: ({ name }: { name: string }) => jar.delete(name),
  }),
  headers: async () => new Headers({ "user-agent": "vitest" }),
}));

const database = setupTestDatabase();
beforeAll(async () => {
  await (await getAuth()).accessRevocationFeed.ready;
});
afterAll(async () => {
  await (await getAuth()).accessRevocationFeed.unsubscribe();
});

const NEW_PASSWORD = "a brand new passphrase, long";
const list = async (headers: Record<string, string>) => (await createTRPCRequest("notes.list", headers)).status;
const change = (headers: Record<string, string>, input: unknown) =>
  createTRPCRequest("account.changePassword", headers, { method: "POST", input });
const problemMessage = async (response: Response) =>
  ((await response.json()) as { error: { json: { message: string } } }).error.json.message;

describe("account.changePassword", () => {
  it("changes the password - old one fails, other sessions and earlier tokens are 401, this browser continues", async () => {
    const user = await createTestUser(database.current.db);
    const here = await sessionHeaders(user);
    const otherDevice = await sessionHeaders(user);
    const bearer = { authorization: `Bearer ${await passwordToken(user)}` };
    expect([await list(here), await list(otherDevice), await list(bearer)]).toEqual([200, 200, 200]);

    jar.clear();
    const answer = await change(here, { currentPassword: user.password, newPassword: NEW_PASSWORD });
    expect(answer.status).toBe(200);

    expect([await list(otherDevice), await list(bearer), await list(here)]).toEqual([401, 401, 401]);
    // The fresh session the procedure set, issued after the cut-off (possibly in the same second).
    const fresh = { ...here, cookie: `${sessionCookieName()}=${jar.get(sessionCookieName())}` };
    expect(jar.get(refreshCookieName())).toBeTruthy();
    expect(await list(fresh)).toBe(200);

    const oldGrant = await tokenRequest({ grant_type: "password", username: user.email, password: user.password });
    expect(oldGrant.status).toBe(400);
    expect(await passwordToken({ email: user.email, password: NEW_PASSWORD })).toBeTruthy();

    // The security log has it (#11 §5), without the password.
    await (await getAuth()).events.flush();
    const changed = (await listUserAuthEvents(database.current.db, user, 50)).filter(
      (event) => event.type === "password.changed",
    );
    expect(changed).toHaveLength(1);
    expect(JSON.stringify(changed)).not.toContain(NEW_PASSWORD);
  });

  it("refuses - wrong current password: 400, nothing revoked, the password unchanged", async () => {
    const user = await createTestUser(database.current.db);
    const here = await sessionHeaders(user);
    const otherDevice = await sessionHeaders(user);
    const answer = await change(here, { currentPassword: "not the password at all", newPassword: NEW_PASSWORD });
    expect(answer.status).toBe(400);
    expect(await problemMessage(answer)).toBe("The current password is wrong.");
    expect([await list(here), await list(otherDevice)]).toEqual([200, 200]);
    expect(await passwordToken(user)).toBeTruthy();
  });

  it("refuses - a new password the policy rejects (too short, common), with its message", async () => {
    const user = await createTestUser(database.current.db);
    const here = await sessionHeaders(user);
    for (const [newPassword, message] of [
      ["short", /at least 12 characters/],
      ["password1234", /too common/],
    ] as const) {
      const answer = await change(here, { currentPassword: user.password, newPassword });
      expect(answer.status).toBe(400);
      expect(await problemMessage(answer)).toMatch(message);
    }
    expect(await passwordToken(user)).toBeTruthy();
  });

  it("refuses - a bearer token or API key, whatever its scopes (the browser session only)", async () => {
    const user = await createTestUser(database.current.db);
    const bearer = { authorization: `Bearer ${await passwordToken(user)}` };
    const answer = await change(bearer, { currentPassword: user.password, newPassword: NEW_PASSWORD });
    expect(answer.status).toBe(403);
  });

  it("throttles - guesses of the current password spend the sign-in budget, then even the right one is refused", async () => {
    const config = env();
    const budget = { maxAttempts: 2, windowSeconds: 600 };
    const services = await buildAuthServices({
      config: { ...config, loginThrottle: { account: budget, pair: budget, address: budget } },
    });
    const account = await createTestUser(database.current.db);
    const attempt = (currentPassword: string) =>
      changePassword(services, database.current, {
        account,
        currentPassword,
        newPassword: NEW_PASSWORD,
        headers: new Headers(),
        startSession: async () => {},
      });
    expect(await attempt("guess number one!")).toEqual({ ok: false, code: "wrong_password" });
    expect(await attempt("guess number two!")).toEqual({ ok: false, code: "wrong_password" });
    expect(await attempt(account.password)).toMatchObject({ ok: false, code: "throttled" });
    await services.accessRevocationFeed.unsubscribe();
  });
});
