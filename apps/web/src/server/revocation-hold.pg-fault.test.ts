/**
 * #11 §1: an instance never trusts an access token while its revoked set may be missing
 * revocations: before the first load (the database not reachable at start) and from a LISTEN
 * reconnect until the reload after it. The real wiring (buildAuthServices) on a throwaway
 * Postgres; the reload is held open by a table lock, so the window is observed, not raced.
 * Real-Postgres leg only.
 */
import { randomUUID } from "node:crypto";
import { recordAccessRevocations } from "@gatehouse/db/access-revocations";
import { createDb, type Database } from "@gatehouse/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "~/env";
import { startThrowawayPostgres, type ThrowawayPostgres } from "~/test/throwaway-postgres";
import { createTestUser } from "~/test/users";
import { ACCESS_REVOKED_CHANNEL } from "./access-revocation";
import { type AuthServices, buildAuthServices } from "./auth";
import { REVOCATIONS_RELOADING_DETAIL } from "./revocation-hold";

const globalForDb = globalThis as { gatehouseDb?: Promise<Database> };
let server: ThrowawayPostgres;
let pool: Database;
let other: Database;
let services: AuthServices | undefined;
const listenWaiters: (() => void)[] = [];

beforeAll(async () => {
  server = await startThrowawayPostgres();
  pool = await createDb({ url: server.url, maxConnections: 3 }); // Migrates.
  other = await createDb({ url: server.url, migrate: false, maxConnections: 2 });
  // The app's database, telling the test each time a LISTEN is (re)established.
  const observed: Database = {
    ...pool,
    listen: (channel, onPayload, onListen) =>
      pool.listen(channel, onPayload, () => {
        onListen?.();
        if (channel !== ACCESS_REVOKED_CHANNEL) return;
        for (const resolve of listenWaiters.splice(0)) resolve();
      }),
  };
  globalForDb.gatehouseDb = Promise.resolve(observed);
}, 120_000);

afterAll(async () => {
  await services?.accessRevocationFeed.unsubscribe().catch(() => {});
  globalForDb.gatehouseDb = undefined;
  await other?.close().catch(() => {});
  await pool?.close().catch(() => {});
  server?.remove();
});

const status = async (token: string) =>
  services?.headerAuthenticator.authenticate(new Headers({ authorization: `Bearer ${token}` })).then(
    () => 200,
    (error: { status?: number; detail?: string }) => (error.status === 503 ? error.detail : error.status),
  );

async function tokenFor(auth: AuthServices, userId: string, sid: string = randomUUID()): Promise<string> {
  return (await auth.issuer.createAccessToken({ sub: userId, kind: "user", scope: "notes:read", sid })).access_token;
}

describe("tokens held while the revoked set reloads (real Postgres, throwaway server)", () => {
  it("answers 503, never 200, before the first load - then honours a revocation recorded before start", async () => {
    const revoked = await createTestUser(pool.db);
    const kept = await createTestUser(pool.db);
    // A sign-in revoked before this instance started: it can only learn of it from the table.
    const revokedSignIn = randomUUID();
    await recordAccessRevocations(pool.db, [{ kind: "family", subject: revokedSignIn, revokedAt: new Date() }]);
    server.stop();
    services = await buildAuthServices({ config: { ...env(), requestTimeoutMs: 300 } });
    const revokedToken = await tokenFor(services, revoked.id, revokedSignIn);
    const keptToken = await tokenFor(services, kept.id);
    // Signed, unexpired, and the set cannot be loaded: held up to the deadline, then a 503.
    expect(await status(revokedToken)).toBe(REVOCATIONS_RELOADING_DETAIL);
    expect(await status(keptToken)).toBe(REVOCATIONS_RELOADING_DETAIL);

    server.start();
    await services.accessRevocationFeed.ready; // The subscription's retry reaches the server.
    await services.accessRevocationFeed.untilCurrent(); // postgres.js may re-LISTEN once more after a failed start.
    expect(await status(revokedToken)).toBe(401);
    expect(await status(keptToken)).toBe(200);
  }, 60_000);

  it("refuses during the reload after a reconnect, and honours the revocation made while the listener was down", async () => {
    const auth = services as AuthServices;
    await auth.accessRevocationFeed.ready;
    const user = await createTestUser(pool.db);
    const bystander = await createTestUser(pool.db);
    const token = await tokenFor(auth, user.id);
    const bystanderToken = await tokenFor(auth, bystander.id);
    expect([await status(token), await status(bystanderToken)]).toEqual([200, 200]); // Cached.

    // Another instance's transaction holds the table, so this instance's reload waits for it.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inTransaction: (tx: Database["db"]) => void = () => {};
    const lockHolder = new Promise<Database["db"]>((resolve) => {
      inTransaction = resolve;
    });
    const writer = other.db.transaction(async (tx) => {
      await tx.execute("lock table access_revocations in access exclusive mode");
      inTransaction(tx as unknown as Database["db"]);
      await released;
    });
    const tx = await lockHolder;
    // The listener's backend dies; meanwhile the user is revoked with no NOTIFY reaching us.
    const relistened = new Promise<void>((resolve) => listenWaiters.push(resolve));
    await other.db.execute(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()",
    );
    await relistened;
    // Committed with the lock's release, so the reload (queued behind the lock) reads it.
    await recordAccessRevocations(tx, [{ kind: "user", subject: user.id, revokedAt: new Date() }]);

    // The reload window: the cached, once-valid token is not trusted, nor anyone else's.
    expect(auth.accessRevocationFeed.untilCurrent()).not.toBeNull();
    expect(await status(token)).toBe(REVOCATIONS_RELOADING_DETAIL);
    expect(await status(bystanderToken)).toBe(REVOCATIONS_RELOADING_DETAIL);

    release();
    await writer;
    await auth.accessRevocationFeed.reloaded();
    expect(await status(bystanderToken)).toBe(200);
    expect(await status(token)).toBe(401);
  }, 60_000);
});
