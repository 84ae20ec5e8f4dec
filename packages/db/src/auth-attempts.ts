/**
 * Counting recent attempts per key, for throttles shared by every instance. Knows nothing
 * of what a key means; the caller builds it.
 */
import { and, count, desc, eq, gt, inArray, lt, lte, min, sql } from "drizzle-orm";
import type { Db } from "./client";
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

// Namespace of the two-int advisory locks (`pg_advisory_xact_lock(int, int)`), apart from
// the migration lock's one-bigint form; the second int is `hashtext(key)`.
const ATTEMPT_LOCK_CLASS = 0x61747470; // "attp"

/**
 * Counts one attempt at `at` against every budget, or none when any is full: check and
 * insert are one transaction holding an advisory lock per key, so parallel attempts queue
 * and each sees the rows the previous one wrote (checking, then writing after slow work,
 * let every parallel guess pass the check). Locks are taken in key order, so two
 * reservations sharing keys cannot deadlock. Drops the keys' rows older than their window.
 */
export async function reserveAttempts(db: Db, at: Date, budgets: readonly AttemptBudget[]): Promise<Reservation> {
  const sorted = [...new Map(budgets.map((b) => [b.key, b])).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  if (sorted.length === 0) return { reserved: true, ids: [] };
  for (const { limit, windowSeconds } of sorted) {
    if (!Number.isInteger(limit) || limit < 1 || !(windowSeconds > 0)) {
      throw new TypeError("reserveAttempts: limit must be a positive integer and windowSeconds positive");
    }
  }
  return db.transaction(
    async (tx) => {
      for (const { key } of sorted) {
        await tx.execute(sql`select pg_advisory_xact_lock(${ATTEMPT_LOCK_CLASS}::int, hashtext(${key}))`);
      }
      let freeAt: number | undefined;
      for (const { key, limit, windowSeconds } of sorted) {
        const windowMs = windowSeconds * 1000;
        const since = new Date(at.getTime() - windowMs);
        await tx.delete(authAttempts).where(and(eq(authAttempts.key, key), lte(authAttempts.createdAt, since)));
        // The newest `limit` rows: with all of them inside the window, the key is full until the
        // last of these (the limit-th newest) leaves it.
        const newest = await tx
          .select({ createdAt: authAttempts.createdAt })
          .from(authAttempts)
          .where(and(eq(authAttempts.key, key), gt(authAttempts.createdAt, since)))
          .orderBy(desc(authAttempts.createdAt))
          .limit(limit);
        const blocking = newest.length >= limit ? newest.at(-1) : undefined;
        if (blocking) freeAt = Math.max(freeAt ?? 0, new Date(blocking.createdAt).getTime() + windowMs);
      }
      if (freeAt !== undefined) return { reserved: false, freeAt: new Date(freeAt) };
      const rows = await tx
        .insert(authAttempts)
        .values(sorted.map(({ key }) => ({ key, createdAt: at })))
        .returning({ id: authAttempts.id });
      return { reserved: true, ids: rows.map((row) => row.id) };
    },
    // Each statement must see what the previous lock holder committed: a snapshot taken at
    // the first statement (repeatable read) would predate it.
    { isolationLevel: "read committed" },
  );
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
