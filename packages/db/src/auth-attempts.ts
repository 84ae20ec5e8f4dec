/**
 * Counting recent attempts per key, for throttles shared by every instance. Knows nothing
 * of what a key means; the caller builds it.
 */
import { and, count, eq, gt, inArray, lt, min, sql } from "drizzle-orm";
import type { Db } from "./client";
import { resultRows } from "./lib/result-rows";
import { authAttempts } from "./schema";

export interface AttemptWindow {
  /** Attempts after `since` (one exactly a window old has left it). */
  count: number;
  /** The oldest of them, or `null` when there are none. */
  oldest: Date | null;
}

export interface AttemptBudget {
  key: string;
  /** Attempts a key may hold inside the window; one more is refused. */
  limit: number;
  windowSeconds: number;
}

/**
 * `ids`: the rows written, one per budget (give them back with `refundAttempts`).
 * `freeAt`: when every full budget has room again.
 */
export type Reservation = { reserved: true; ids: string[] } | { reserved: false; freeAt: Date };

/**
 * Counts one attempt at `at` against every budget, or none when any is full, in one round
 * trip: the database function `reserve_auth_attempts` (migration 0007) takes an advisory lock
 * per key, in key order so two reservations sharing keys cannot deadlock, then checks and
 * inserts, each statement seeing what the previous lock holder committed (checking, then
 * writing after slow work, let every parallel guess pass the check). It also drops the keys'
 * rows older than their window. The lock namespace is `pg_advisory_xact_lock(1635021936, …)`
 * ("attp"), apart from the migration lock's one-bigint form. Before, it was six to ten
 * statements in a transaction: six more round trips and a longer lock hold per login.
 */
export async function reserveAttempts(db: Db, at: Date, budgets: readonly AttemptBudget[]): Promise<Reservation> {
  const sorted = [...new Map(budgets.map((b) => [b.key, b])).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  if (sorted.length === 0) return { reserved: true, ids: [] };
  for (const { limit, windowSeconds } of sorted) {
    if (!Number.isInteger(limit) || limit < 1 || !(windowSeconds > 0)) {
      throw new TypeError("reserveAttempts: limit must be a positive integer and windowSeconds positive");
    }
  }
  const argument = JSON.stringify(
    sorted.map(({ key, limit, windowSeconds }) => ({ key, limit, windowMs: windowSeconds * 1000 })),
  );
  // As text: postgres.js and PGlite hand jsonb back differently, a string the same way.
  const answer = await db.execute(
    sql`select reserve_auth_attempts(${argument}::jsonb, ${at.toISOString()}::timestamptz)::text as result`,
  );
  const rows = resultRows<{ result: string }>(answer);
  const result = JSON.parse(rows[0]?.result ?? "null") as { ids: string[] } | { freeAt: string } | null;
  if (result && "ids" in result) return { reserved: true, ids: result.ids };
  if (result && "freeAt" in result) return { reserved: false, freeAt: new Date(result.freeAt) };
  throw new Error("reserve_auth_attempts returned no answer");
}

/** Gives back a reservation's attempts (the attempt turned out not to count). */
export async function refundAttempts(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.delete(authAttempts).where(inArray(authAttempts.id, [...ids]));
}

export async function countAttempts(db: Db, key: string, since: Date): Promise<AttemptWindow> {
  const [row] = await db
    .select({ count: count(), oldest: min(authAttempts.createdAt) })
    .from(authAttempts)
    .where(and(eq(authAttempts.key, key), gt(authAttempts.createdAt, since)));
  const oldest = row?.oldest ?? null;
  return { count: Number(row?.count ?? 0), oldest: oldest === null ? null : new Date(oldest) };
}

/** Forgets a key's attempts (after a successful sign-in). */
export async function clearAttempts(db: Db, key: string): Promise<void> {
  await db.delete(authAttempts).where(eq(authAttempts.key, key));
}

/** Deletes every attempt older than `before`: a cleanup job, never the request path. */
export async function deleteAttemptsBefore(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(authAttempts)
    .where(lt(authAttempts.createdAt, before))
    .returning({ id: authAttempts.id });
  return rows.length;
}
