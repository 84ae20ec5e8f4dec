import { insertApiKey, listApiKeys } from "@gatehouse/db/api-keys";
import { countAttempts, reserveAttempts } from "@gatehouse/db/auth-attempts";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { createUser } from "@gatehouse/db/users";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "~/env";
import { loadChainKey } from "~/server/auth-event-key";
import { cleanup, parseRetentionDays } from "./cleanup";
import { run } from "./run";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.cleanup();
});

const days = (n: number) => new Date(Date.now() - n * 86_400_000);

describe("cleanup", () => {
  it("deletes keys dead for longer than the retention and old attempts, and keeps the rest", async () => {
    const user = await createUser(database.db, { email: "cleanup@example.com", passwordHash: "h", scopes: [] });
    const key = (name: string, expiresAt: Date | null) =>
      insertApiKey(database.db, {
        userId: user.id,
        name,
        keyHash: name.padEnd(64, "0"),
        start: "gk_",
        scopes: [],
        expiresAt,
      });
    await key("a", days(40));
    await key("b", days(5));
    await key("c", null);
    await reserveAttempts(database.db, days(2), [{ key: "old", limit: 10, windowSeconds: 86_400 }]);
    await reserveAttempts(database.db, new Date(), [{ key: "new", limit: 10, windowSeconds: 86_400 }]);
    const lines: string[] = [];
    await cleanup(
      { olderThanDays: 30, eventRetentionDays: 90 },
      { database, output: { out: (l) => lines.push(l), err: (l) => lines.push(l) }, key: await loadChainKey(env()) },
    );
    expect((await listApiKeys(database.db, user.id)).map((k) => k.name).sort()).toEqual(["b", "c"]);
    expect((await countAttempts(database.db, "old", days(10))).count).toBe(0);
    expect((await countAttempts(database.db, "new", days(10))).count).toBe(1);
    expect(lines.join("\n")).toMatch(/Deleted \d+ refresh token\(s\), 1 API key\(s\)/);
  });

  it("checks --older-than-days and refuses stray options before opening the database", async () => {
    expect(parseRetentionDays(undefined)).toBe(30);
    expect(parseRetentionDays("7")).toBe(7);
    expect(() => parseRetentionDays("0")).toThrow(/1 to 3650/);
    let opened = false;
    const context = {
      output: { out: () => {}, err: () => {} },
      openDatabase: async () => {
        opened = true;
        return database;
      },
      environment: () => "test",
    };
    expect(await run(["cleanup", "--email", "x@example.com"], context)).toBe(2);
    expect(await run(["cleanup", "--older-than-days", "abc"], context)).toBe(2);
    expect(opened).toBe(false);
  });
});
