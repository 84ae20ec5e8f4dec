/**
 * The app's one database handle, opened lazily on first use — never at import, because
 * `next build` imports modules in several worker processes and PGlite must have exactly
 * one owner. Kept on `globalThis` so dev-server reloads reuse it instead of reopening.
 */
import { type CreateDbOptions, createDb, type Database } from "@gatehouse/db/client";
import { type Env, env } from "~/env";
import { ensureDemoUser } from "./demo-user";

const globalForDb = globalThis as unknown as { gatehouseDb?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  globalForDb.gatehouseDb ??= open().catch((error) => {
    // Let the next request try again (the server may come up later) instead of caching a failure.
    globalForDb.gatehouseDb = undefined;
    throw error;
  });
  return globalForDb.gatehouseDb;
}

async function open(): Promise<Database> {
  const config = env();
  const database = await createDb(databaseOptions(config));
  if (config.demoUser) await ensureDemoUser(database.db);
  return database;
}

/**
 * In development the embedded database is also served on a loopback port (behind the
 * password in its lock file) so `pnpm gatehouse` reaches it through us; in production never:
 * a production server's database answers no other process.
 */
export function databaseOptions(config: Env): CreateDbOptions {
  return {
    url: config.databaseUrl,
    dataDir: config.pgliteDir,
    // Bounded waits: a database that is down or restarting is a prompt 503, never a hung request.
    connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    serve: config.pgliteServe ? { holdLimit: config.pgliteServe.holdLimitMs } : false,
  };
}
