import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AttemptBudget,
  clearAttempts,
  countAttempts,
  deleteAttemptsBefore,
  refundAttempts,
  reserveAttempts,
} from "./auth-attempts";
import { createTestDatabase, type TestDatabase } from "./testing";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const budget = (key: string, limit = 3, windowSeconds = 60): AttemptBudget => ({ key, limit, windowSeconds });

describe("auth attempts", () => {
  it("reserves up to the limit, then refuses until the limit-th newest leaves the window", async () => {
    for (const s of [1, 2, 3]) expect((await reserveAttempts(database.db, at(s), [budget("k1")])).reserved).toBe(true);
    expect(await reserveAttempts(database.db, at(10), [budget("k1")])).toEqual({ reserved: false, freeAt: at(61) });
    expect(await countAttempts(database.db, "k1", at(0))).toEqual({ count: 3, oldest: at(1) });
    expect((await reserveAttempts(database.db, at(61), [budget("k1")])).reserved).toBe(true);
  });

  it("writes nothing when any budget is full, and waits for the latest of the full ones", async () => {
    for (const s of [1, 2]) await reserveAttempts(database.db, at(s), [budget("full-a", 2)]);
    await reserveAttempts(database.db, at(5), [budget("full-b", 1, 100)]);
    const refused = await reserveAttempts(database.db, at(6), [
      budget("full-a", 2),
      budget("full-b", 1, 100),
      budget("free"),
    ]);
    expect(refused).toEqual({ reserved: false, freeAt: at(105) });
    expect((await countAttempts(database.db, "free", at(0))).count).toBe(0);
  });

  it("counts 60 parallel reservations for one key exactly up to the limit - check and write are atomic", async () => {
    // Several bursts: on real Postgres (4 connections) one burst without the lock over-counted in
    // about two runs of three; five make a pass without it unlikely.
    for (let burst = 0; burst < 5; burst++) {
      const key = `parallel-${burst}`;
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          reserveAttempts(database.db, at(1), [budget(key, 5), budget(`${key}-other-${i}`, 5)]),
        ),
      );
      expect(results.filter((r) => r.reserved)).toHaveLength(5);
      expect((await countAttempts(database.db, key, at(0))).count).toBe(5);
    }
  });

  it("refuses to count inside a repeatable-read transaction, whose snapshot would predate the lock", async () => {
    const attempt = database.db.transaction((tx) => reserveAttempts(tx, at(1), [budget("snapshot")]), {
      isolationLevel: "repeatable read",
    });
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String((error as { cause?: unknown })?.cause ?? error)).toMatch(/needs READ COMMITTED/);
    expect((await countAttempts(database.db, "snapshot", at(0))).count).toBe(0);
  });

  it("takes any key text through to the database unchanged - quotes, backslashes, JSON and SQL syntax, astral characters", async () => {
    const key = `k"\\'); drop table auth_attempts; --{"a":1}\u2028 😀`;
    for (const s of [1, 2]) expect((await reserveAttempts(database.db, at(s), [budget(key, 2)])).reserved).toBe(true);
    expect(await reserveAttempts(database.db, at(3), [budget(key, 2)])).toEqual({ reserved: false, freeAt: at(61) });
    expect(await countAttempts(database.db, key, at(0))).toEqual({ count: 2, oldest: at(1) });
  });

  it("fails, never allows, when the database is gone", async () => {
    const gone = await createTestDatabase();
    await gone.cleanup();
    await expect(reserveAttempts(gone.db, at(1), [budget("gone")])).rejects.toThrow();
  });

  it("refunds exactly a reservation's rows", async () => {
    const first = await reserveAttempts(database.db, at(1), [budget("refund-a"), budget("refund-b")]);
    await reserveAttempts(database.db, at(2), [budget("refund-a")]);
    if (!first.reserved) throw new Error("expected a reservation");
    expect(first.ids).toHaveLength(2);
    await refundAttempts(database.db, first.ids);
    expect(await countAttempts(database.db, "refund-a", at(0))).toEqual({ count: 1, oldest: at(2) });
    expect((await countAttempts(database.db, "refund-b", at(0))).count).toBe(0);
  });

  it("drops the key's attempts older than the window while reserving", async () => {
    await reserveAttempts(database.db, at(1), [budget("k2", 3, 10)]);
    await reserveAttempts(database.db, at(50), [budget("k2", 3, 10)]);
    expect(await countAttempts(database.db, "k2", at(-100))).toEqual({ count: 1, oldest: at(50) });
  });

  it("clears a key, and a cleanup job deletes old rows", async () => {
    await reserveAttempts(database.db, at(5), [budget("k3")]);
    await clearAttempts(database.db, "k3");
    expect((await countAttempts(database.db, "k3", at(0))).count).toBe(0);
    await reserveAttempts(database.db, at(5), [budget("k4")]);
    expect(await deleteAttemptsBefore(database.db, at(59))).toBeGreaterThan(0);
    expect((await countAttempts(database.db, "k4", at(0))).count).toBe(0);
  });

  it("refuses a budget without a positive limit - a configuration error, not a silent pass", async () => {
    await expect(reserveAttempts(database.db, at(1), [budget("k5", 0)])).rejects.toThrow(TypeError);
  });
});
