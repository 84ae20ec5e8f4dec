/**
 * Real Postgres only (two connections): an access token revoked on instance A (the app: tRPC
 * route handler, auth.ts's verifier and feed) is refused by instance B as soon as B's listener
 * hears the NOTIFY; and a revocation B missed while its listener was down is in B's list once
 * the listener is back (reloaded from `access_revocations`). B has its own pool, its own
 * revocation list and feed, and a JWT verifier over the app's keys, wired as auth.ts wires it.
 */
import { createJwtVerifier } from "@gatehouse/auth/jwt";
import { RevocationList } from "@gatehouse/auth/revocation-list";
import { recordAccessRevocations } from "@gatehouse/db/access-revocations";
import { createDb, type Database } from "@gatehouse/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as revoke } from "~/app/api/revoke/route";
import { env } from "~/env";
import { createTestApiKey } from "~/test/api-keys";
import { clientCredentialsToken, passwordToken, sessionHeaders } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { gatehouse as runGatehouse } from "~/test/gatehouse-cli";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { ACCESS_REVOKED_CHANNEL, subscribeToAccessRevocations } from "./access-revocation";
import { getAuth } from "./auth";
import { unverifiedClaims } from "./unverified-claims";

const database = setupTestDatabase();

async function startInstanceB(url: string) {
  const pool = await createDb({ url, migrate: false, maxConnections: 2 });
  let relistened: () => void = () => {};
  let listens = 0;
  // B's database as the app sees it, telling the test each time LISTEN is (re)established.
  const observed: Database = {
    ...pool,
    listen: (channel, onPayload, onListen) =>
      pool.listen(channel, onPayload, () => {
        onListen?.();
        listens++;
        relistened();
      }),
  };
  const list = new RevocationList();
  const feed = subscribeToAccessRevocations({
    database: async () => observed,
    list,
    lookbackSeconds: env().accessTokenTtl + 60,
    onError: (error) => {
      throw error;
    },
  });
  await feed.ready;
  const { keySet } = await getAuth();
  const verifier = createJwtVerifier({
    keySet,
    algorithms: [keySet.current.alg],
    issuer: env().issuer,
    audience: null,
    revocations: list,
  });
  // After the feed's own listener: called once the feed has handled the same notice.
  const heard = new Map<string, () => void>();
  const seen = new Set<string>();
  const stopNotices = await pool.listen(ACCESS_REVOKED_CHANNEL, (payload) => {
    const subject = (JSON.parse(payload) as { subject: string }).subject;
    seen.add(subject);
    heard.get(subject)?.();
  });
  return {
    pool,
    feed,
    /** Resolves once B has received the revocation of `subject`. */
    received: (subject: string) =>
      seen.has(subject) ? Promise.resolve() : new Promise<void>((resolve) => heard.set(subject, resolve)),
    /** Resolves at the next (re)LISTEN of B's feed. */
    nextListen: () => {
      const before = listens;
      return new Promise<void>((resolve) => {
        relistened = () => {
          if (listens > before) resolve();
        };
      });
    },
    status: async (token: string) =>
      verifier.verify(token).then(
        () => 200,
        (error: { status?: number }) => error.status ?? 500,
      ),
    async stop() {
      await stopNotices();
      await feed.unsubscribe();
      await pool.close();
    },
  };
}

let b: Awaited<ReturnType<typeof startInstanceB>>;
/** Resolves once instance A (the app) has handled the revocation of `subject`. */
let receivedByA: (subject: string) => Promise<void>;
let stopA: () => Promise<void> = async () => {};

/** The operator CLI on its own connection to this test's database. */
const gatehouse = (...argv: string[]) => runGatehouse(database.current.url, ...argv);

beforeAll(async () => {
  const url = database.current.url;
  if (!url) throw new Error("Real Postgres only: run through test:pg (GATEHOUSE_TEST_PG_URL)");
  await (await getAuth()).accessRevocationFeed.ready;
  // After A's feed subscribed on the same database: heard once A's feed has handled the notice.
  const waiting = new Map<string, () => void>();
  const seen = new Set<string>();
  stopA = await database.current.listen(ACCESS_REVOKED_CHANNEL, (payload) => {
    const subject = (JSON.parse(payload) as { subject: string }).subject;
    seen.add(subject);
    waiting.get(subject)?.();
  });
  receivedByA = (subject) =>
    seen.has(subject) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(subject, resolve));
  b = await startInstanceB(url);
});

afterAll(async () => {
  await stopA();
  await b?.stop();
  await (await getAuth()).accessRevocationFeed.unsubscribe();
});

describe("access-token revocation across instances (real Postgres only)", () => {
  it("refuses on instance B - sign-in revoked on instance A through the router (account.revokeSession)", async () => {
    const user = await createTestUser(database.current.db);
    const here = await sessionHeaders(user);
    const there = await sessionHeaders(user);
    const token = there.cookie?.split("; ")[0]?.split("=")[1] ?? "";
    const familyId = unverifiedClaims(token)?.sid as string;
    expect(await b.status(token)).toBe(200); // Cached on B.
    const answer = await createTRPCRequest("account.revokeSession", here, { method: "POST", input: { familyId } });
    expect(answer.status).toBe(200);
    await b.received(familyId);
    expect(await b.status(token)).toBe(401);
  });

  it("refuses on instance B - user signed out everywhere on instance A", async () => {
    const user = await createTestUser(database.current.db);
    const token = await passwordToken(user);
    expect(await b.status(token)).toBe(200);
    const session = await sessionHeaders(user);
    const answer = await createTRPCRequest("account.signOutEverywhere", session, { method: "POST", input: undefined });
    expect(answer.status).toBe(200);
    await b.received(user.id);
    expect(await b.status(token)).toBe(401);
  });

  it("refuses on instance B - an access token its holder revoked at /api/revoke on instance A (by jti)", async () => {
    const user = await createTestUser(database.current.db);
    const token = await passwordToken(user);
    expect(await b.status(token)).toBe(200);
    const answer = await revoke(
      new Request("http://localhost:3000/api/revoke", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
      }),
    );
    expect(answer.status).toBe(200);
    const jti = unverifiedClaims(token)?.jti as string;
    await b.received(jti);
    expect(await b.status(token)).toBe(401);
  });

  it.each([
    ["users disable", (email: string) => ["users", "disable", "--email", email]],
    ["users set-scopes", (email: string) => ["users", "set-scopes", "--email", email, "--scopes", "notes:read"]],
  ])("refuses on both instances - %s by the CLI over its own connection", async (_name, argv) => {
    const user = await createTestUser(database.current.db);
    const token = await passwordToken(user);
    const bearer = { authorization: `Bearer ${token}` };
    const a = async () => (await createTRPCRequest("notes.list", bearer)).status;
    expect([await a(), await b.status(token)]).toEqual([200, 200]);
    await gatehouse(...argv(user.email));
    await Promise.all([receivedByA(user.id), b.received(user.id)]);
    expect(await b.status(token)).toBe(401);
    expect(await a()).toBe(401);
  });

  it("refuses a client-credentials token on both instances - its key revoked by the CLI (keys revoke)", async () => {
    const { owner, id, key } = await createTestApiKey(database.current.db, { scopes: ["notes:read"] });
    const token = await clientCredentialsToken({ id, key });
    const a = async () => (await createTRPCRequest("notes.list", { authorization: `Bearer ${token}` })).status;
    expect([await a(), await b.status(token)]).toEqual([200, 200]);
    await gatehouse("keys", "revoke", "--email", owner.email, "--id", id);
    await Promise.all([receivedByA(id), b.received(id)]);
    expect([await a(), await b.status(token)]).toEqual([401, 401]);
  });

  it("refuses on instance B after its listener reconnects - a revocation it missed while down is reloaded", async () => {
    const user = await createTestUser(database.current.db);
    const token = await passwordToken(user);
    expect(await b.status(token)).toBe(200);
    // Written while B is not listening for it: no NOTIFY, as if it was sent while B's listener was down.
    await recordAccessRevocations(database.current.db, [{ kind: "user", subject: user.id, revokedAt: new Date() }]);
    expect(await b.status(token)).toBe(200);
    const relisten = b.nextListen();
    const killed = await database.current.db.execute(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()` as never,
    );
    expect(killed).toBeTruthy();
    await relisten;
    await b.feed.reloaded();
    expect(await b.status(token)).toBe(401);
  });
});
