/**
 * Counting recent attempts per key, for throttles shared by every instance. Knows nothing
 * of what a key means; the caller builds it.
 */
import { and, count, eq, gt, lt, min } from "drizzle-orm";
import type { Db } from "./client";
import { authAttempts } from "./schema";

export interface AttemptWindow {
  /** Attempts after `since` (one exactly a window old has left it). */
  count: number;
  /** The oldest of them, or `null` when there are none. */
  oldest: Date | null;
}

export async function countAttempts(db: Db, key: string, since: Date): Promise<AttemptWindow> {
  const [row] = await db
    .select({ count: count(), oldest: min(authAttempts.createdAt) })
    .from(authAttempts)
    .where(and(eq(authAttempts.key, key), gt(authAttempts.createdAt, since)));
  const oldest = row?.oldest ?? null;
  return { count: Number(row?.count ?? 0), oldest: oldest === null ? null : new Date(oldest) };
}

/** Records one attempt at `at`, and drops this key's attempts older than `since` (keeps the table small). */
export async function recordAttempt(db: Db, key: string, at: Date, since: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(authAttempts).where(and(eq(authAttempts.key, key), lt(authAttempts.createdAt, since)));
    await tx.insert(authAttempts).values({ key, createdAt: at });
  });
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
