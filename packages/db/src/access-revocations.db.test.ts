import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAccessRevocationsSince, pruneAccessRevocations, recordAccessRevocations } from "./access-revocations";
import { createTestDatabase, type TestDatabase } from "./testing";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe("access revocations", () => {
  it("keeps the later time - a subject revoked twice, the older write arriving last", async () => {
    await recordAccessRevocations(database.db, [{ kind: "user", subject: "u1", revokedAt: at(20) }]);
    await recordAccessRevocations(database.db, [{ kind: "user", subject: "u1", revokedAt: at(10) }]);
    const rows = await listAccessRevocationsSince(database.db, at(0));
    expect(rows.filter((row) => row.subject === "u1")).toEqual([{ kind: "user", subject: "u1", revokedAt: at(20) }]);
  });

  it("lists only rows at or after since - and prunes the older ones", async () => {
    await recordAccessRevocations(database.db, [
      { kind: "family", subject: "old", revokedAt: at(1) },
      { kind: "key", subject: "new", revokedAt: at(100) },
    ]);
    expect((await listAccessRevocationsSince(database.db, at(50))).map((row) => row.subject)).toEqual(["new"]);
    expect(await pruneAccessRevocations(database.db, at(5))).toBe(1);
    expect((await listAccessRevocationsSince(database.db, at(0))).map((row) => row.subject)).not.toContain("old");
  });

  it("refuses a bad row - unknown kind or empty subject, nothing written", async () => {
    await expect(
      recordAccessRevocations(database.db, [
        { kind: "key", subject: "fine", revokedAt: at(200) },
        { kind: "session" as never, subject: "x", revokedAt: at(200) },
      ]),
    ).rejects.toThrow(TypeError);
    await expect(
      recordAccessRevocations(database.db, [{ kind: "key", subject: "", revokedAt: at(200) }]),
    ).rejects.toThrow(TypeError);
    expect((await listAccessRevocationsSince(database.db, at(150))).map((row) => row.subject)).toEqual([]);
  });
});
