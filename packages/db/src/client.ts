/**
 * createDb(): one entry point for both databases.
 *
 * - `url` (DATABASE_URL) set → postgres.js against that server.
 * - unset → embedded PGlite persisted in `dataDir`. PGlite has no cross-process lock and
 *   silently loses writes when two processes open one folder, so we take a lock file and
 *   refuse, with a message, when another live process owns it.
 *
 * Migrations from `drizzle/` are applied on open unless `migrate: false`.
 */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { resolveMigrationsDir } from "./lib/migrations-dir";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Sends a NOTIFY on `channel` (delivered to every listener, in every process on Postgres). */
  notify(channel: string, payload: string): Promise<void>;
  /** Subscribes to `channel`; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Checks the connection with `select 1`; throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** A postgres:// URL. When absent, the embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite folder; `memory://` for a throwaway in-memory database. Required without `url`. */
  dataDir?: string | undefined;
  /** Apply pending migrations on open. Default: true. */
  migrate?: boolean;
  /** postgres.js pool size. Default: 10. */
  maxConnections?: number;
  /** A PGlite data dump to start from (tests clone a migrated template this way). */
  loadDataDir?: Blob | File | undefined;
}

export async function createDb(options: CreateDbOptions): Promise<Database> {
  const database = options.url
    ? await (await import("./lib/postgres-database")).openPostgres(options.url, options.maxConnections ?? 10)
    : await (await import("./lib/pglite-database")).openPglite(requireDataDir(options.dataDir), options.loadDataDir);
  if (options.migrate ?? true) {
    try {
      await database.migrate(resolveMigrationsDir());
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

function requireDataDir(dataDir: string | undefined): string {
  if (!dataDir) throw new Error("createDb: pass `url` (DATABASE_URL) or `dataDir` for the embedded database");
  return dataDir;
}

export { schema };
