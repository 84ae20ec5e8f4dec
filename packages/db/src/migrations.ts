/**
 * How far a database is migrated: the migrations drizzle recorded as applied against those
 * in `drizzle/` (its journal). For `pnpm db:migrate` to report, and for a readiness check.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { count } from "drizzle-orm";
import { pgSchema, serial } from "drizzle-orm/pg-core";
import type { Db } from "./lib/database";
import { resolveMigrationsDir } from "./lib/migrations-dir";

export interface MigrationStatus {
  /** Migrations recorded in `drizzle.__drizzle_migrations`. */
  applied: number;
  /** Migrations in the journal of the `drizzle/` folder this process would apply. */
  available: number;
  /** The journal's last tag, e.g. `0004_access_revocations`. */
  latest: string | undefined;
}

// drizzle's own bookkeeping table (both migrators write it); only counted here.
const drizzleMigrations = pgSchema("drizzle").table("__drizzle_migrations", { id: serial() });

export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const journal = JSON.parse(
    readFileSync(path.join(/*turbopackIgnore: true*/ resolveMigrationsDir(), "meta/_journal.json"), "utf8"),
  ) as { entries: { tag: string }[] };
  const [row] = await db.select({ applied: count() }).from(drizzleMigrations);
  return { applied: row?.applied ?? 0, available: journal.entries.length, latest: journal.entries.at(-1)?.tag };
}
