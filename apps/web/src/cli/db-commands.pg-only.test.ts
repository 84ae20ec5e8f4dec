/** `pnpm db:migrate` / `pnpm db:seed` on Postgres (DATABASE_URL). */
import { createTestDatabase } from "@gatehouse/db/testing";
import { describe, expect, it } from "vitest";
import { cleanups, expectSeeded, gatehouse, tempDataDir } from "~/test/db-commands";

describe("db migrate and db seed on Postgres", () => {
  it("migrate and seed Postgres", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.cleanup());
    const config = { databaseUrl: database.url, pgliteDir: tempDataDir() };
    expect((await gatehouse(config, "db", "migrate")).code).toBe(0);
    expect((await gatehouse(config, "db", "seed")).code).toBe(0);
    await expectSeeded(database);
  });
});
