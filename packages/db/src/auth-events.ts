/**
 * The security log's storage: appending to the hash chain, reading a user's recent events,
 * pruning behind a signed checkpoint. What the chain is and how it is checked: see
 * `auth-event-chain.ts`. Knows nothing of who signs: the caller passes `sign`.
 */
import { and, asc, desc, eq, gte, isNull, lt, or } from "drizzle-orm";
import { type AuthEventRow, canonicalEventHash, checkpointMessage, headMessage } from "./auth-event-chain";
import type { Db } from "./client";
import { authEventChain, authEvents } from "./schema";

export type { AuthEventRow } from "./auth-event-chain";

/** What an event says; the appender adds `id`, `prevHash` and `hash`. */
export interface NewAuthEvent {
  createdAt: Date;
  type: string;
  userId: string | null;
  subject: string | null;
  address: string | null;
  userAgent: string | null;
  detail: string | null;
}

/** HMAC (or signature) of a head or checkpoint message, as text. */
export type ChainSigner = (message: string) => string;

/**
 * Appends `events`, in order, after the chain head, in one transaction holding the head row
 * (`SELECT … FOR UPDATE`): concurrent appends, from any instance, queue there and each sees
 * the head the previous one committed (read committed re-reads a locked row's latest
 * version), so the chain never forks and ids stay contiguous. Re-signs the head.
 */
export async function appendAuthEvents(db: Db, events: readonly NewAuthEvent[], sign: ChainSigner): Promise<void> {
  if (events.length === 0) return;
  await db.transaction(
    async (tx) => {
      const [head] = await tx
        .select({ headId: authEventChain.headId, headHash: authEventChain.headHash })
        .from(authEventChain)
        .where(eq(authEventChain.id, 1))
        .for("update");
      if (!head) throw new Error("auth_event_chain has no head row (migration 0005 not applied?)");
      let id = Number(head.headId);
      let prevHash = head.headHash;
      const rows: AuthEventRow[] = [];
      for (const event of events) {
        id += 1;
        const row = { id, ...event, prevHash, hash: "" };
        row.hash = canonicalEventHash(row);
        rows.push(row);
        prevHash = row.hash;
      }
      await tx.insert(authEvents).values(rows);
      await tx
        .update(authEventChain)
        .set({ headId: id, headHash: prevHash, headSignature: sign(headMessage(id, prevHash)) })
        .where(eq(authEventChain.id, 1));
    },
    { isolationLevel: "read committed" },
  );
}

/**
 * A user's newest events first: rows that name their id, and rows for their email (sign-ins
 * that failed or were throttled before the account was known) since the account was made.
 * A user without an email (an external identity) has only the first kind.
 */
export async function listUserAuthEvents(
  db: Db,
  user: { id: string; email: string | null; createdAt: Date },
  limit: number,
): Promise<AuthEventRow[]> {
  const ownRows = eq(authEvents.userId, user.id);
  return db
    .select()
    .from(authEvents)
    .where(
      user.email === null
        ? ownRows
        : or(
            ownRows,
            and(
              isNull(authEvents.userId),
              eq(authEvents.subject, normaliseSubject(user.email)),
              gte(authEvents.createdAt, user.createdAt),
            ),
          ),
    )
    .orderBy(desc(authEvents.id))
    .limit(limit);
}

/** The account an event names by email: trimmed, lower-cased, at most 254 characters (RFC 5321's longest path). */
export function normaliseSubject(email: string): string {
  return email.trim().toLowerCase().slice(0, 254);
}

/**
 * Deletes the oldest rows, those before the first one created at or after `before`, and
 * moves the signed checkpoint to the last row deleted, all under the head lock (no append
 * interleaves). Resolves how many rows went. The caller verifies the chain first, so a
 * checkpoint never vouches for an edited row.
 */
export async function pruneAuthEvents(db: Db, before: Date, sign: ChainSigner, now = new Date()): Promise<number> {
  return db.transaction(
    async (tx) => {
      const [head] = await tx
        .select({ headId: authEventChain.headId })
        .from(authEventChain)
        .where(eq(authEventChain.id, 1))
        .for("update");
      if (!head) throw new Error("auth_event_chain has no head row (migration 0005 not applied?)");
      const [firstKept] = await tx
        .select({ id: authEvents.id })
        .from(authEvents)
        .where(gte(authEvents.createdAt, before))
        .orderBy(asc(authEvents.id))
        .limit(1);
      const keepFrom = firstKept ? Number(firstKept.id) : Number(head.headId) + 1;
      const [last] = await tx
        .select({ id: authEvents.id, hash: authEvents.hash })
        .from(authEvents)
        .where(lt(authEvents.id, keepFrom))
        .orderBy(desc(authEvents.id))
        .limit(1);
      if (!last) return 0;
      const deleted = await tx.delete(authEvents).where(lt(authEvents.id, keepFrom)).returning({ id: authEvents.id });
      const id = Number(last.id);
      await tx
        .update(authEventChain)
        .set({
          checkpointId: id,
          checkpointHash: last.hash,
          checkpointSignature: sign(checkpointMessage(id, last.hash)),
          checkpointAt: now,
        })
        .where(eq(authEventChain.id, 1));
      return deleted.length;
    },
    { isolationLevel: "read committed" },
  );
}
