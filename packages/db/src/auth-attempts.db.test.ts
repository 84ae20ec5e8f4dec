import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearAttempts, countAttempts, deleteAttemptsBefore, recordAttempt } from "./auth-attempts";
import { createTestDatabase, type TestDatabase } from "./testing";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe("auth attempts", () => {
  it("counts a key's attempts inside the window and reports the oldest", async () => {
    for (const s of [1, 2, 3]) await recordAttempt(database.db, "k1", at(s), at(0));
    await recordAttempt(database.db, "other", at(2), at(0));
    expect(await countAttempts(database.db, "k1", at(1))).toEqual({ count: 2, oldest: at(2) });
    expect(await countAttempts(database.db, "nobody", at(0))).toEqual({ count: 0, oldest: null });
  });

  it("drops the key's attempts older than the window while recording", async () => {
    await recordAttempt(database.db, "k2", at(1), at(0));
    await recordAttempt(database.db, "k2", at(50), at(40));
    expect(await countAttempts(database.db, "k2", at(0))).toEqual({ count: 1, oldest: at(50) });
  });

  it("clears a key, and a cleanup job deletes old rows", async () => {
    await recordAttempt(database.db, "k3", at(5), at(0));
    await clearAttempts(database.db, "k3");
    expect((await countAttempts(database.db, "k3", at(0))).count).toBe(0);
    await recordAttempt(database.db, "k4", at(5), at(0));
    expect(await deleteAttemptsBefore(database.db, at(59))).toBeGreaterThan(0);
    expect((await countAttempts(database.db, "k4", at(0))).count).toBe(0);
  });
});
