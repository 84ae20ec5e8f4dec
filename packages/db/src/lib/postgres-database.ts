import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "../schema";
import type { Database, Db, OpenedDatabase } from "./database";

// Any constant works; it only has to be the same in every process that migrates.
export const MIGRATION_LOCK_ID = 7_110_422;

export interface OpenPostgresOptions {
  /** Pool size. */
  max: number;
  /** Named prepared statements. Default: true. Off through a PGlite owner, whose one session they would outlive. */
  prepare?: boolean;
  /** What the database is; "pglite" when reached through the embedded database's owner. Default: "postgres". */
  kind?: Database["kind"];
  /** Seconds to wait for a connection (TCP + startup) before the query fails with CONNECT_TIMEOUT. Default: 30 (postgres.js). */
  connectTimeoutSeconds?: number;
  /** Server-side `statement_timeout` in milliseconds (57014 when it fires). Default: none. */
  statementTimeoutMs?: number;
  /**
   * Serialise `migrate` with an advisory lock on a connection of its own. Default: true. Off
   * through a PGlite owner: it serves one session at a time anyway, and resets the session
   * (advisory locks included) after each of our turns.
   */
  migrationLock?: boolean;
}

export async function openPostgres(url: string, options: OpenPostgresOptions): Promise<OpenedDatabase> {
  const sql = postgres(url, {
    max: options.max,
    prepare: options.prepare ?? true,
    onnotice: () => {},
    ...(options.connectTimeoutSeconds === undefined ? {} : { connect_timeout: options.connectTimeoutSeconds }),
    // Reconnect soon after a restart: postgres.js's default backoff grows to 20 s between
    // attempts, and queued queries (and so requests) wait through it.
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 1),
    // Sent as a startup parameter, so it holds on every pooled connection and after each reconnect.
    connection: {
      application_name: "gatehouse",
      ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
    },
  });
  const db = drizzle({ client: sql, schema, casing: "snake_case" }) as unknown as Db;
  return {
    db,
    kind: options.kind ?? "postgres",
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    async listen(channel, onPayload, onListen) {
      // postgres.js re-runs LISTEN on a new connection when the old one closes, and calls
      // `onListen` after the first LISTEN and after each of those.
      const { unlisten } = await sql.listen(channel, onPayload, onListen);
      return unlisten;
    },
    async ping() {
      await sql`select 1`;
    },
    async migrate(migrationsFolder) {
      if (options.migrationLock === false) {
        await migrate(drizzle({ client: sql }), { migrationsFolder });
        return;
      }
      // Several app instances may start at once: an advisory lock on a dedicated
      // connection serialises them so each migration runs exactly once.
      const lockSql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await lockSql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migrate(drizzle({ client: lockSql }), { migrationsFolder });
        await lockSql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
      } finally {
        await lockSql.end({ timeout: 5 });
      }
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
