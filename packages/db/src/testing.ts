/**
 * Test databases. Each call returns a database nobody else uses, migrated:
 * - `GATEHOUSE_TEST_PG_URL` set (an admin URL of a real server) → a new database with a
 *   unique name on that server, dropped by `cleanup()`;
 * - otherwise an in-memory PGlite, cloned from the migrated template that the global
 *   setup (`@gatehouse/db/testing-setup`) dumped, so no test pays for initdb.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createDb, type Database, type Db } from "./client";
import { resultRows } from "./lib/result-rows";

export { resultRows };

export interface TestDatabase extends Database {
  /** postgres:// URL of this database (real Postgres only), for a second process or connection. */
  url: string | undefined;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.GATEHOUSE_TEST_PG_URL;
  return adminUrl ? createPostgresTestDatabase(adminUrl) : createPgliteTestDatabase();
}

// Read once per process: every test database is cloned from the same immutable dump.
let template: Promise<Blob | undefined> | undefined;

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  template ??= readTemplate(process.env.GATEHOUSE_PGLITE_TEMPLATE);
  const loadDataDir = await template;
  const database = await createDb({ dataDir: "memory://", loadDataDir, migrate: !loadDataDir });
  return { ...database, url: undefined, cleanup: () => database.close() };
}

async function createPostgresTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `gatehouse_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(adminUrl, name);
  const database = await createDb({ url, maxConnections: 4 });
  return {
    ...database,
    url,
    async cleanup() {
      await database.close();
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Fault tests: terminates the backend of every other session that LISTENs on this test
 * database (real Postgres only), as when a listener's connection drops. Returns how many.
 */
export async function terminateListeners(database: TestDatabase): Promise<number> {
  if (!database.url) throw new Error("terminateListeners needs a real Postgres test database");
  const client = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await client`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %'`;
    return rows.length;
  } finally {
    await client.end();
  }
}

/**
 * Every code point this database's `lower()` changes, with what it becomes: the case folding
 * that `findUserByEmail` matches by (it follows the server's locale), for tests of keys that
 * must be at least as coarse.
 */
export async function lowerCasedCodePoints(db: Db): Promise<[from: number, to: number][]> {
  const result = await db.execute<{ c: number; lower: number }>(sql`
    select i as c, ascii(lower(chr(i))) as lower from generate_series(1, 1114111) i
    where (i < 55296 or i > 57343) and lower(chr(i)) <> chr(i)`);
  const rows = resultRows<{ c: number; lower: number }>(result);
  return rows.map(({ c, lower }) => [Number(c), Number(lower)]);
}

async function readTemplate(templatePath: string | undefined): Promise<Blob | undefined> {
  return templatePath ? new Blob([await readFile(templatePath)]) : undefined;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
