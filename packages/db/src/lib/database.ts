/**
 * The types every database implementation shares. Kept apart from `client.ts` (which picks an
 * implementation) so that `lib/postgres-database.ts` and `lib/pglite-database.ts` import
 * types from here and nothing imports in a circle.
 */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "../schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Sends a NOTIFY on `channel` (delivered to every listener, in every process on Postgres). */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Subscribes to `channel`; resolves to an unsubscribe function. `onListen` runs each time the
   * subscription is (re)established: after the first LISTEN and, on Postgres, after the listener
   * connection drops and reconnects. Notifications sent while it was down are lost, so a
   * subscriber that caches should drop its cache on every call but the first.
   */
  listen(channel: string, onPayload: (payload: string) => void, onListen?: () => void): Promise<() => Promise<void>>;
  /** Checks the connection with `select 1`; throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What an implementation returns to `createDb`, which runs the migrations once on open. */
export type OpenedDatabase = Database & { migrate(folder: string): Promise<void> };
