/** `pnpm db:studio` with DATABASE_URL: studio's local server reads our tables on that Postgres. */
import { createTestDatabase } from "@gatehouse/db/testing";
import { describe, expect, it } from "vitest";
import { cleanups, countUsers, started, tempDataDir } from "~/test/studio";

describe("db:studio on Postgres", () => {
  it("connects to DATABASE_URL", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.cleanup());
    const { studio, port } = await started({ databaseUrl: database.url, pgliteDir: tempDataDir() });
    expect(studio.url).toBe(database.url);
    expect(await countUsers(studio, port)).toBe(0);
  });
});
