/**
 * #11 §5: the security log records what happened, who, when, from where — through the real
 * doors (token endpoint, sign-in form, /api/revoke, tRPC) — and never a credential or a hash
 * of one; a log that cannot write never breaks the request; floods stay bounded.
 */
import { createHash } from "node:crypto";
import { hashApiKey } from "@gatehouse/auth/api-key";
import { verifyAuthEventChain } from "@gatehouse/db/auth-event-chain";
import { type AuthEventRow, listUserAuthEvents } from "@gatehouse/db/auth-events";
import { resultRows } from "@gatehouse/db/testing";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as revokeRoute } from "~/app/api/revoke/route";
import { env } from "~/env";
import { captureLogs } from "~/test/captured-logs";
import { passwordToken, sessionHeaders } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { type AuthServices, buildAuthServices, getAuth } from "./auth";
import { loadChainKey } from "./auth-event-key";
import { createAuthEventRecorder, MAX_USER_AGENT_LENGTH } from "./auth-event-recorder";
import { signInWithPassword } from "./sign-in";

const database = setupTestDatabase();
let services: AuthServices;
const PROXY = "203.0.113.5";
const UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";
/** Behind one trusted proxy: the address is the right-most X-Forwarded-For entry. */
const fromBrowser = () => new Headers({ "x-forwarded-for": `10.9.9.9, ${PROXY}`, "user-agent": UA });

beforeAll(async () => {
  const config = env();
  services = await buildAuthServices({
    config: {
      ...config,
      trustedProxyHops: 1,
      loginThrottle: { ...config.loginThrottle, account: { maxAttempts: 2, windowSeconds: 900 } },
    },
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function tokenForm(params: Record<string, string>): Request {
  return new Request("http://localhost:3000/api/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...Object.fromEntries(fromBrowser()) },
    body: new URLSearchParams(params).toString(),
  });
}

async function flushAll(): Promise<void> {
  await services.events.flush();
  await (await getAuth()).events.flush();
}

async function allRows(): Promise<AuthEventRow[]> {
  const result = await database.current.db.execute("select * from auth_events order by id");
  return resultRows<AuthEventRow>(result);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("the security log", () => {
  it("records every kind of event with who, when, address and user agent - and never a credential or its hash", async () => {
    const user = await createTestUser(database.current.db);
    const secrets: string[] = [user.password, user.passwordHash];

    // Token endpoint: succeeded, failed, failed for an email nobody has, throttled (budget 2).
    const ok = await services.tokenEndpoint(
      tokenForm({ grant_type: "password", username: user.email, password: user.password }),
    );
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as { access_token: string; refresh_token: string };
    secrets.push(tokens.access_token, tokens.refresh_token, sha256(tokens.refresh_token));
    const wrong = { grant_type: "password", username: user.email.toUpperCase(), password: "wrong password 1" };
    expect((await services.tokenEndpoint(tokenForm(wrong))).status).toBe(400);
    expect((await services.tokenEndpoint(tokenForm({ ...wrong, password: "wrong password 2" }))).status).toBe(400);
    expect((await services.tokenEndpoint(tokenForm({ ...wrong, password: "wrong password 3" }))).status).toBe(429);
    const nobody = { grant_type: "password", username: "nobody@example.com", password: "guess 1" };
    expect((await services.tokenEndpoint(tokenForm(nobody))).status).toBe(400);
    secrets.push("wrong password 1", "wrong password 2", "wrong password 3", "guess 1");

    // Sign-in form, other address budget is spent: a second user signs in.
    const other = await createTestUser(database.current.db);
    secrets.push(other.password, other.passwordHash);
    const form = await signInWithPassword(services, {
      email: other.email,
      password: other.password,
      headers: fromBrowser(),
    });
    expect(form.ok).toBe(true);

    // Refresh reuse: A → B, B → C, then A again revokes the family.
    const refresh = (token: string) =>
      services.tokenEndpoint(tokenForm({ grant_type: "refresh_token", refresh_token: token }));
    const b = (await (await refresh(tokens.refresh_token)).json()) as { refresh_token: string };
    const c = (await (await refresh(b.refresh_token)).json()) as { refresh_token: string };
    secrets.push(b.refresh_token, c.refresh_token);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);

    // /api/revoke with a fresh sign-in's refresh token (the app's own services).
    const second = await (await getAuth()).tokenEndpoint(
      tokenForm({ grant_type: "password", username: user.email, password: user.password }),
    );
    const { refresh_token: toRevoke, access_token: secondAccess } = (await second.json()) as Record<string, string>;
    secrets.push(toRevoke as string, secondAccess as string, sha256(toRevoke as string));
    const revoked = await revokeRoute(
      new Request("http://localhost:3000/api/revoke", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "revoker/1" },
        body: new URLSearchParams({ token: toRevoke as string }).toString(),
      }),
    );
    expect(revoked.status).toBe(200);

    // tRPC: a key created and revoked from the browser session, then presented again; a refused scope.
    const session: Record<string, string> = { ...(await sessionHeaders(user)), "user-agent": UA };
    secrets.push(session.cookie ?? "");
    const created = await createTRPCRequest("apiKeys.create", session, {
      method: "POST",
      input: { name: "ci", scopes: ["notes:read"] },
    });
    const key = (await created.json()).result.data.json as { id: string; key: string };
    secrets.push(key.key, hashApiKey(key.key));
    expect((await createTRPCRequest("auth.me", { "x-api-key": key.key })).status).toBe(200);
    const revokeKey = await createTRPCRequest("apiKeys.revoke", session, { method: "POST", input: { id: key.id } });
    expect(revokeKey.status).toBe(200);
    expect((await createTRPCRequest("auth.me", { "x-api-key": key.key, "user-agent": "stolen/1" })).status).toBe(401);
    const narrow = await passwordToken(user, "notes:read");
    secrets.push(narrow);
    const denied = await createTRPCRequest(
      "notes.create",
      { authorization: `Bearer ${narrow}` },
      { method: "POST", input: { title: "x" } },
    );
    expect(denied.status).toBe(403);

    // The account page's list, then "sign out everywhere".
    await flushAll();
    const activity = await createTRPCRequest("account.activity", session);
    const listed = (await activity.json()).result.data.json as { label: string; address: string | null }[];
    expect(listed.map((event) => event.label)).toContain("Signed in");
    expect(listed.map((event) => event.label)).toContain("Refused: missing scope");
    expect((await createTRPCRequest("account.signOutEverywhere", session, { method: "POST" })).status).toBe(200);
    await flushAll();

    const mine = (await listUserAuthEvents(database.current.db, user, 100)).reverse();
    const summary = mine.map((event) => [event.type, event.address, event.detail]);
    expect(summary).toEqual([
      ["sign_in.succeeded", PROXY, "token endpoint"],
      ["sign_in.failed", PROXY, "token endpoint"],
      ["sign_in.failed", PROXY, "token endpoint"],
      ["sign_in.throttled", PROXY, "token endpoint"],
      ["refresh.reuse_detected", null, expect.stringMatching(/^sign-in [0-9a-f-]{36}$/)],
      ["sign_in.succeeded", null, "token endpoint"],
      ["token.revoked", null, expect.stringMatching(/^refresh token of sign-in /)],
      ["api_key.created", null, `API key ${key.id} (notes:read)`],
      ["api_key.revoked", null, `API key ${key.id}`],
      ["api_key.used_after_revocation", null, `API key ${key.id}`],
      ["sign_in.succeeded", null, "token endpoint"], // the narrowed token's sign-in
      ["scope.denied", null, "notes:write for notes.create (user)"],
      ["sign_out.everywhere", null, null],
    ]);
    // Who: the account, also for the failures typed in another case; when; the user agent as sent.
    expect(mine.every((event) => event.userId === user.id)).toBe(true);
    expect(mine[1]?.subject).toBe(user.email.toLowerCase());
    expect(mine[0]?.userAgent).toBe(UA);
    expect(mine.find((event) => event.type === "api_key.used_after_revocation")?.userAgent).toBe("stolen/1");
    expect(mine.find((event) => event.type === "token.revoked")?.userAgent).toBe("revoker/1");

    // The unknown email: one row naming it, no account, nothing else created.
    const rows = await allRows();
    const unknown = rows.filter((row) => row.subject === "nobody@example.com");
    expect(unknown.map((row) => [row.type, (row as unknown as { user_id: string | null }).user_id])).toEqual([
      ["sign_in.failed", null],
    ]);
    const created2 = await database.current.db.execute(
      "select (select count(*) from users where lower(email) = 'nobody@example.com')::int as users",
    );
    const createdRows = Array.isArray(created2) ? created2 : (created2 as unknown as { rows: unknown[] }).rows;
    expect(createdRows).toEqual([{ users: 0 }]);

    // No credential, and no hash of one, anywhere in the log.
    const everything = JSON.stringify(rows);
    for (const secret of secrets) expect(everything.includes(secret), `log holds ${secret.slice(0, 12)}…`).toBe(false);

    const key2 = await loadChainKey(env());
    expect(await verifyAuthEventChain(database.current.db, key2.isSigned)).toMatchObject({ ok: true });
  });

  it("never breaks the request when it cannot write - the sign-in succeeds, the failure is logged, the chain stays whole", async () => {
    const user = await createTestUser(database.current.db);
    const logged = captureLogs();
    await database.current.db.execute("alter table auth_events rename to auth_events_gone");
    try {
      const result = await signInWithPassword(services, {
        email: user.email,
        password: user.password,
        headers: fromBrowser(),
      });
      expect(result.ok).toBe(true);
      await services.events.flush();
    } finally {
      await database.current.db.execute("alter table auth_events_gone rename to auth_events");
    }
    expect(logged.text()).toMatch(/security log failed/);
    // Nothing half-written: the head did not move past rows that were never stored.
    const key = await loadChainKey(env());
    expect(await verifyAuthEventChain(database.current.db, key.isSigned)).toMatchObject({ ok: true });
  });

  it("stays bounded under a flood - user agents cut, free repeats once a minute, a full queue drops", async () => {
    const key = await loadChainKey(env());
    let now = Date.UTC(2026, 5, 1);
    const errors: unknown[] = [];
    const recorder = createAuthEventRecorder({
      database: async () => database.current,
      key: async () => key,
      addressOf: () => "198.51.100.9",
      onError: (error) => errors.push(error),
      now: () => now,
      maxQueued: 3,
    });
    const before = (await allRows()).length;
    const headers = new Headers({ "user-agent": `flood/${"x".repeat(5000)}` });
    for (let n = 0; n < 50; n++)
      void recorder.record({ type: "sign_in.throttled", email: "flood@example.com", headers });
    await recorder.flush();
    now += 61_000;
    void recorder.record({ type: "sign_in.throttled", email: "flood@example.com", headers });
    await recorder.flush();
    const rows = (await allRows()).slice(before);
    expect(rows).toHaveLength(2);
    expect(
      rows.every((row) => (row as unknown as { user_agent: string }).user_agent.length === MAX_USER_AGENT_LENGTH),
    ).toBe(true);

    // Distinct events beyond the queue's room are dropped and said so, not held without bound.
    for (let n = 0; n < 10; n++) void recorder.record({ type: "sign_in.failed", email: `f${n}@example.com`, headers });
    await recorder.flush();
    // The first starts the drain (taken off the queue at once), three more wait: the rest are dropped.
    expect((await allRows()).length - before).toBe(2 + 4);
    expect(String(errors.at(-1))).toMatch(/6 event\(s\) dropped, the queue was full/);
  });

  it("flush waits for the events queued before it, not for a queue that keeps filling", async () => {
    const key = await loadChainKey(env());
    let calls = 0;
    const recorder = createAuthEventRecorder({
      // The first drain writes; every later one hangs, as under a flood that never lets the queue empty.
      database: () => (++calls === 1 ? Promise.resolve(database.current) : new Promise(() => {})),
      key: async () => key,
      addressOf: () => null,
      onError: () => {},
    });
    void recorder.record({ type: "sign_out", userId: null });
    const flushed = recorder.flush();
    void recorder.record({ type: "sign_out.everywhere", userId: null });
    await flushed;
    expect(calls).toBeGreaterThanOrEqual(1);
  }, 20_000);
});
