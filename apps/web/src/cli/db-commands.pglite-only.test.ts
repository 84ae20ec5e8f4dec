/**
 * `pnpm db:migrate` / `pnpm db:seed` on each database they must work on: an embedded folder
 * nobody owns, one a running dev server owns (reached through its socket), and Postgres.
 */
import { createDb } from "@gatehouse/db/client";
import { migrationStatus } from "@gatehouse/db/migrations";
import { describe, expect, it } from "vitest";
import { cleanups, expectSeeded, gatehouse, tempDataDir } from "~/test/db-commands";
import { run } from "./run";

describe("db migrate and db seed on the embedded database", () => {
  it("migrate and seed an embedded folder nobody owns", async () => {
    const pgliteDir = tempDataDir();
    const migrated = await gatehouse({ pgliteDir }, "db", "migrate");
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toMatch(/migrated: (\d+) of \1 applied/);
    expect((await gatehouse({ pgliteDir }, "db", "seed")).code).toBe(0);
    const database = await createDb({ dataDir: pgliteDir, migrate: false });
    cleanups.push(() => database.close());
    await expectSeeded(database);
  });

  it("migrate and seed through the dev server that owns the folder; seeding twice adds nothing", async () => {
    const pgliteDir = tempDataDir();
    // An owner that has not migrated: only `db migrate` through its socket can do it.
    const owner = await createDb({ dataDir: pgliteDir, serve: true, migrate: false });
    cleanups.push(() => owner.close());
    expect((await migrationStatus(owner.db).catch(() => ({ applied: 0 }))).applied).toBe(0);

    const migrated = await gatehouse({ pgliteDir }, "db", "migrate");
    expect(migrated.code, migrated.stderr).toBe(0);
    const status = await migrationStatus(owner.db);
    expect(status.applied).toBe(status.available);

    for (let i = 0; i < 2; i++) expect((await gatehouse({ pgliteDir }, "db", "seed")).code).toBe(0);
    await expectSeeded(owner);
  });

  it("refuses to seed in production - the demo password is public", async () => {
    const stderr: string[] = [];
    const code = await run(["db", "seed"], {
      output: { out: () => {}, err: (line) => stderr.push(line) },
      openDatabase: () => Promise.reject(new Error("opened the database")),
      environment: () => "live",
    });
    expect(code).toBe(1);
    expect(stderr.join("\n")).toContain("refused in production");
  });
});
