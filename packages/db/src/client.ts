/**
 * createDb(): one entry point for both databases.
 *
 * - `url` (DATABASE_URL) set → postgres.js against that server.
 * - unset → embedded PGlite persisted in `dataDir`. PGlite has no cross-process lock and
 *   silently loses writes when two processes open one folder, so we take a lock file. When
 *   another live process owns the folder and serves it (`serve`, see
 *   `lib/pglite-socket-server.ts`), we connect to it over loopback with the password from its
 *   lock file instead; when it does not serve, we refuse with `DataDirInUseError`.
 *
 * Migrations from `drizzle/` are applied on open unless `migrate: false`.
 */

import { findDataDirOwner } from "./lib/data-dir-lock";
import type { Database, OpenedDatabase } from "./lib/database";
import { resolveMigrationsDir } from "./lib/migrations-dir";

export interface CreateDbOptions {
  /** A postgres:// URL. When absent, the embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite folder; `memory://` for a throwaway in-memory database. Required without `url`. */
  dataDir?: string | undefined;
  /**
   * Apply pending migrations on open. Default: true. Through the embedded database's owner
   * (which migrated the folder when it opened it) only when `"through-owner"`: what
   * `pnpm db:migrate` asks for, to apply migrations generated while the dev server runs.
   */
  migrate?: boolean | "through-owner";
  /** postgres.js pool size. Default: 10. */
  maxConnections?: number;
  /**
   * `url` only: seconds to wait for a connection before failing, so a request never hangs on a
   * database that is down or restarting. Default: 5.
   */
  connectTimeoutSeconds?: number;
  /** `url` only: Postgres `statement_timeout` in milliseconds for app queries (not migrations). Default: 5000. */
  statementTimeoutMs?: number;
  /** A PGlite data dump to start from (tests clone a migrated template this way). */
  loadDataDir?: Blob | File | undefined;
  /**
   * When this process opens the PGlite folder, also serve it on a loopback port, behind a
   * random password (both in the 0600 lock file), so other processes' `createDb({ dataDir })`
   * connect through this one. For development only: anyone who can read the lock file gets
   * superuser SQL, so the app passes `false` in production. `true` or `{ holdLimit }` (ms a
   * client may hold the one session; default 30 000). Ignored for `url` and `memory://`.
   * Default: false.
   */
  serve?: boolean | { holdLimit?: number | undefined };
}

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

export async function createDb(options: CreateDbOptions): Promise<Database> {
  if (!options.url) {
    const owner =
      options.dataDir && !options.dataDir.startsWith("memory://") ? findDataDirOwner(options.dataDir) : undefined;
    // The owner migrated the folder when it opened it; its one session is not ours to run DDL
    // in, unless the operator asks (`pnpm db:migrate`).
    if (owner?.served) {
      const database = await connectToDataDirOwner(owner.served);
      if (options.migrate === "through-owner") await migrateOrClose(database);
      return database;
    }
  }
  const database = options.url
    ? await (await import("./lib/postgres-database")).openPostgres(options.url, {
        max: options.maxConnections ?? 10,
        connectTimeoutSeconds: options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
        statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      })
    : await (await import("./lib/pglite-database")).openPglite(requireDataDir(options.dataDir), {
        loadDataDir: options.loadDataDir,
        serve: options.serve === true ? {} : options.serve || undefined,
      });
  if (options.migrate ?? true) await migrateOrClose(database);
  return database;
}

async function migrateOrClose(database: OpenedDatabase): Promise<void> {
  try {
    await database.migrate(resolveMigrationsDir());
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * The embedded database through the process that owns it, on its advertised loopback port.
 * One connection (the owner runs one statement at a time anyway); no named prepared statements
 * (the owner resets its session after each of our transactions anyway). postgres.js answers
 * the owner's SCRAM-SHA-256 challenge with the password from the lock file.
 */
async function connectToDataDirOwner({ port, password }: { port: number; password: string }): Promise<OpenedDatabase> {
  const { openPostgres } = await import("./lib/postgres-database");
  const database = await openPostgres(ownerUrl({ port, password }), {
    max: 1,
    prepare: false,
    kind: "pglite",
    connectTimeoutSeconds: DEFAULT_CONNECT_TIMEOUT_SECONDS,
    migrationLock: false,
  });
  try {
    await database.ping();
  } catch (error) {
    await database.close();
    throw new Error(`The embedded database's owner does not answer on 127.0.0.1:${port}`, { cause: error });
  }
  return database;
}

function ownerUrl({ port, password }: { port: number; password: string }): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * The postgres:// URL (password included) at which a live process serves `dataDir`, or
 * `undefined` when none does: for tools that speak Postgres themselves (drizzle-kit studio).
 * Run statements without named prepared statements: the owner resets the session after each
 * client turn.
 */
export function servedDataDirUrl(dataDir: string): string | undefined {
  const served = findDataDirOwner(dataDir)?.served;
  return served ? ownerUrl(served) : undefined;
}

function requireDataDir(dataDir: string | undefined): string {
  if (!dataDir) throw new Error("createDb: pass `url` (DATABASE_URL) or `dataDir` for the embedded database");
  return dataDir;
}

export { DataDirInUseError } from "./lib/data-dir-lock";
export type { Database, Db } from "./lib/database";
