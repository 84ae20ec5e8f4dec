/**
 * The app's one database handle, opened lazily on first use — never at import, because
 * `next build` imports modules in several worker processes and PGlite must have exactly
 * one owner. Kept on `globalThis` so dev-server reloads reuse it instead of reopening.
 */
import { createDb, type Database } from "@gatehouse/db/client";
import { env } from "~/env";
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
  const database = await createDb({
    url: config.databaseUrl,
    dataDir: config.pgliteDir,
    // Bounded waits: a database that is down or restarting is a prompt 503, never a hung request.
    connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    // Serve the embedded database on a loopback port so `pnpm gatehouse` (and other tools) reach it through us.
    serve: true,
  });
  if (config.demoUser) await ensureDemoUser(database.db);
  return database;
}
