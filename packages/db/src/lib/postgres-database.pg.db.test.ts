/**
 * The advisory lock that serialises migrations, on a real Postgres only (PGlite has one
 * connection and nothing to race): several instances starting at once on a fresh database
 * all come up, and each migration runs exactly once.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type Database } from "../client";
import { resolveMigrationsDir } from "./migrations-dir";
import { MIGRATION_LOCK_ID } from "./postgres-database";

const adminUrl = process.env.GATEHOUSE_TEST_PG_URL;
if (!adminUrl) throw new Error("real Postgres only: run through test:pg (GATEHOUSE_TEST_PG_URL)");

const migrationCount = () =>
  (JSON.parse(readFileSync(path.join(resolveMigrationsDir(), "meta/_journal.json"), "utf8")).entries as unknown[])
    .length;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An empty database of our own; dropped after the test. */
async function freshDatabase(): Promise<string> {
  const name = `gatehouse_lock_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  cleanups.push(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  const url = new URL(adminUrl as string);
  url.pathname = `/${name}`;
  return url.toString();
}

function connect(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  cleanups.push(() => sql.end({ timeout: 5 }));
  return sql;
}

function opened(database: Database): Database {
  cleanups.push(() => database.close());
  return database;
}

describe("migrations on Postgres (real Postgres only)", () => {
  it("runs each migration once - four createDb() at once on a fresh database all succeed", async () => {
    const url = await freshDatabase();
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => createDb({ url, maxConnections: 1 })));
    for (const result of results) if (result.status === "fulfilled") opened(result.value);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    const sql = connect(url);
    const applied = await sql`select hash from drizzle.__drizzle_migrations`;
    expect(applied).toHaveLength(migrationCount());
    expect(new Set(applied.map((row) => row.hash)).size).toBe(applied.length);
    const [{ count } = { count: -1 }] = await sql<
      { count: number }[]
    >`select count(*)::int as count from information_schema.tables where table_name = 'users'`;
    expect(count).toBe(1);
  });

  it("waits for the lock - a migration holding it keeps a starting instance from migrating until released", async () => {
    const url = await freshDatabase();
    const holder = connect(url);
    await holder`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    let done = false;
    const starting = createDb({ url, maxConnections: 1 }).then((database) => {
      done = true;
      return opened(database);
    });
    // Until the instance is queued on the lock (seen in pg_locks, not by waiting on a clock).
    // An instance that does not take the lock finishes instead, and the expectation below fails.
    while (!done) {
      const [{ waiting } = { waiting: -1 }] = await holder<{ waiting: number }[]>`
        select count(*)::int as waiting from pg_locks
        where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`;
      if (waiting > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [{ tables } = { tables: -1 }] = await holder<
      { tables: number }[]
    >`select count(*)::int as tables from information_schema.tables where table_name = 'users'`;
    expect({ done, tables }).toEqual({ done: false, tables: 0 });
    await holder`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    await starting;
    expect(done).toBe(true);
    const [{ migrated } = { migrated: -1 }] = await holder<
      { migrated: number }[]
    >`select count(*)::int as migrated from drizzle.__drizzle_migrations`;
    expect(migrated).toBe(migrationCount());
  });
});
