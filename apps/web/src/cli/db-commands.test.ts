/**
 * `pnpm db:migrate` / `pnpm db:seed` on each database they must work on: an embedded folder
 * nobody owns, one a running dev server owns (reached through its socket), and Postgres.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, type Database } from "@gatehouse/db/client";
import { migrationStatus } from "@gatehouse/db/migrations";
import { listNotes } from "@gatehouse/db/notes";
import { createTestDatabase } from "@gatehouse/db/testing";
import { findUserByEmail } from "@gatehouse/db/users";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_USER } from "~/server/demo-user";
import { run } from "./run";
import { openCliDatabase } from "./start-cli";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-db-cli-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "pglite");
}

async function gatehouse(config: { databaseUrl?: string; pgliteDir: string }, ...argv: string[]) {
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: () => {}, err: (line) => stderr.push(line) },
    openDatabase: (purpose) =>
      openCliDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir }, purpose),
    environment: () => "test",
  });
  return { code, stderr: stderr.join("\n") };
}

async function expectSeeded(database: Database) {
  const user = await findUserByEmail(database.db, DEMO_USER.email);
  expect(user).toBeDefined();
  expect(await listNotes(database.db, user?.id ?? "")).toHaveLength(3);
}

describe("db migrate and db seed", () => {
  // PGlite cases once, in the PGlite leg; the real-Postgres leg runs the last one.
  it.skipIf(process.env.GATEHOUSE_TEST_PG_URL)("migrate and seed an embedded folder nobody owns", async () => {
    const pgliteDir = tempDataDir();
    const migrated = await gatehouse({ pgliteDir }, "db", "migrate");
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toMatch(/migrated: (\d+) of \1 applied/);
    expect((await gatehouse({ pgliteDir }, "db", "seed")).code).toBe(0);
    const database = await createDb({ dataDir: pgliteDir, migrate: false });
    cleanups.push(() => database.close());
    await expectSeeded(database);
  });

  it.skipIf(process.env.GATEHOUSE_TEST_PG_URL)(
    "migrate and seed through the dev server that owns the folder; seeding twice adds nothing",
    async () => {
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
    },
  );

  it.runIf(process.env.GATEHOUSE_TEST_PG_URL)("migrate and seed Postgres", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.cleanup());
    const config = { databaseUrl: database.url, pgliteDir: tempDataDir() };
    expect((await gatehouse(config, "db", "migrate")).code).toBe(0);
    expect((await gatehouse(config, "db", "seed")).code).toBe(0);
    await expectSeeded(database);
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
