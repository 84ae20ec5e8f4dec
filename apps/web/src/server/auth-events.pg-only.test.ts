/**
 * The security log's chain under real concurrency: two app instances, each with its own
 * connection pool on one real Postgres database, append at once. Only the test:pg pass runs
 * this file: PGlite has one connection, so there appends cannot interleave and the head-row
 * lock is never contended (the PGlite variant is in @gatehouse/db's auth-events.db.test.ts).
 */
import { verifyAuthEventChain } from "@gatehouse/db/auth-event-chain";
import { appendAuthEvents } from "@gatehouse/db/auth-events";
import { createDb, type Database } from "@gatehouse/db/client";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "~/env";
import { type ChainKey, loadChainKey } from "./auth-event-key";
import { createAuthEventRecorder } from "./auth-event-recorder";

let testDatabase: TestDatabase;
let second: Database;
let key: ChainKey;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  second = await createDb({ url: testDatabase.url, migrate: false, maxConnections: 4 });
  key = await loadChainKey(env());
});
afterAll(async () => {
  await second?.close();
  await testDatabase?.cleanup();
});

const event = (n: number) => ({
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)),
  type: "sign_in.failed",
  userId: null,
  subject: `guess${n}@example.com`,
  address: null,
  userAgent: "race",
  detail: null,
});

describe("security log on two instances", () => {
  it("never forks - 80 appends at once from two pools make one contiguous chain", async () => {
    const pools = [testDatabase, second];
    await Promise.all(
      Array.from({ length: 80 }, (_, n) => appendAuthEvents((pools[n % 2] as Database).db, [event(n)], key.sign)),
    );
    expect(await verifyAuthEventChain(testDatabase.db, key.isSigned)).toMatchObject({ ok: true, rows: 80, headId: 80 });
  });

  it("never forks - both instances' recorders draining at once", async () => {
    const recorders = [testDatabase, second].map((database) =>
      createAuthEventRecorder({
        database: async () => database,
        key: async () => key,
        addressOf: () => null,
        onError: (error) => {
          throw error;
        },
      }),
    );
    for (let n = 0; n < 60; n++) {
      void recorders[n % 2]?.record({ type: "sign_in.failed", email: `r${n}@example.com` });
    }
    await Promise.all(recorders.map((recorder) => recorder.flush()));
    expect(await verifyAuthEventChain(second.db, key.isSigned)).toMatchObject({ ok: true, rows: 140, headId: 140 });
  });
});
