/**
 * The security log's hash chain, and its check. Each row's `hash` is
 * SHA-256(`prev_hash` + "\n" + the row's canonical content), `prev_hash` being the previous
 * row's `hash` (64 zeros before the first). The head (newest row) and the checkpoint (last
 * row pruned away) are signed by the app with a key the database does not hold, so:
 *
 * - an UPDATE of a row changes its content: reported at that row;
 * - a DELETE of rows leaves a gap in the contiguous ids: reported at the next row;
 * - a reordering (ids swapped) breaks `prev_hash`: reported at the first row moved;
 * - deleting the newest rows, or rewriting rows and recomputing every hash after them,
 *   no longer matches the signed head; forging a checkpoint fails its signature.
 *
 * Not caught: someone with database write access who saved an earlier head row (and its
 * signature) and rolls the log back to it, or who wipes log, head and checkpoint back to
 * the empty chain. Keep `events verify` output (it prints the head) somewhere else to
 * catch those.
 */
import { createHash } from "node:crypto";
import { asc, eq, gt } from "drizzle-orm";
import type { Db } from "./client";
import { authEventChain, authEvents } from "./schema";

export type AuthEventRow = typeof authEvents.$inferSelect;
export type AuthEventChainRow = typeof authEventChain.$inferSelect;

/** `prev_hash` of the first row ever, and the empty chain's head and checkpoint hash. */
export const GENESIS_HASH = "0".repeat(64);

type HashedFields = Pick<
  AuthEventRow,
  "id" | "createdAt" | "type" | "userId" | "subject" | "address" | "userAgent" | "detail" | "prevHash"
>;

/** The row's hash as it must be stored: over the previous hash and every other column, in a fixed order. */
export function canonicalEventHash(row: HashedFields): string {
  const content = JSON.stringify([
    String(row.id),
    new Date(row.createdAt).toISOString(),
    row.type,
    row.userId,
    row.subject,
    row.address,
    row.userAgent,
    row.detail,
  ]);
  return createHash("sha256").update(`${row.prevHash}\n${content}`).digest("hex");
}

/** What the head signature covers: the newest row's id and hash. */
export function headMessage(id: number, hash: string): string {
  return `gatehouse auth_events head v1:${id}:${hash}`;
}

/** What the checkpoint signature covers: the last pruned row's id and hash. */
export function checkpointMessage(id: number, hash: string): string {
  return `gatehouse auth_events checkpoint v1:${id}:${hash}`;
}

export async function readAuthEventChain(db: Db): Promise<AuthEventChainRow> {
  const [row] = await db.select().from(authEventChain).where(eq(authEventChain.id, 1));
  if (!row) throw new Error("auth_event_chain has no head row (migration 0005 not applied?)");
  return { ...row, headId: Number(row.headId), checkpointId: Number(row.checkpointId) };
}

/** Up to `limit` rows after `afterId`, in chain order: verification pages through the log with it. */
export async function readAuthEventsAfter(db: Db, afterId: number, limit: number): Promise<AuthEventRow[]> {
  const rows = await db
    .select()
    .from(authEvents)
    .where(gt(authEvents.id, afterId))
    .orderBy(asc(authEvents.id))
    .limit(limit);
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export type ChainReport =
  | { ok: true; rows: number; checkpointId: number; headId: number; headHash: string }
  | {
      ok: false;
      /** The first row where history differs from what was written; `null` when no row can be named. */
      rowId: number | null;
      reason: string;
    };

const PAGE = 1000;

/**
 * Walks the log from the checkpoint to the head. `isSigned(message, signature)` checks a
 * head or checkpoint signature (with any key that may have made it).
 */
export async function verifyAuthEventChain(
  db: Db,
  isSigned: (message: string, signature: string) => boolean,
): Promise<ChainReport> {
  const chain = await readAuthEventChain(db);
  const { checkpointId, checkpointHash, headId, headHash } = chain;
  const genesisCheckpoint = checkpointId === 0 && checkpointHash === GENESIS_HASH;
  if (
    !genesisCheckpoint &&
    !(chain.checkpointSignature && isSigned(checkpointMessage(checkpointId, checkpointHash), chain.checkpointSignature))
  ) {
    return { ok: false, rowId: null, reason: `the checkpoint (row ${checkpointId}) is not signed by our key` };
  }
  let expectedId = checkpointId + 1;
  let prev = checkpointHash;
  let rows = 0;
  for (let page = await readAuthEventsAfter(db, -1, PAGE); page.length > 0; ) {
    for (const row of page) {
      if (row.id < expectedId) {
        return {
          ok: false,
          rowId: row.id,
          reason: `row ${row.id} is at or before the checkpoint (row ${checkpointId})`,
        };
      }
      if (row.id !== expectedId) {
        const missing = row.id - 1 === expectedId ? `row ${expectedId} is` : `rows ${expectedId}–${row.id - 1} are`;
        return { ok: false, rowId: row.id, reason: `${missing} missing before row ${row.id} (deleted)` };
      }
      if (row.prevHash !== prev) {
        return {
          ok: false,
          rowId: row.id,
          reason: `row ${row.id} does not follow the row before it (moved or replaced)`,
        };
      }
      if (canonicalEventHash(row) !== row.hash) {
        return { ok: false, rowId: row.id, reason: `row ${row.id} was changed after it was written` };
      }
      prev = row.hash;
      expectedId += 1;
      rows += 1;
    }
    const last = page.at(-1)?.id ?? 0;
    page = await readAuthEventsAfter(db, last, PAGE);
  }
  const lastId = expectedId - 1;
  if (lastId < headId) {
    return {
      ok: false,
      rowId: lastId + 1,
      reason: `rows ${lastId + 1}–${headId} are missing: the newest rows were deleted`,
    };
  }
  if (lastId !== headId || prev !== headHash) {
    return { ok: false, rowId: null, reason: `the last row (${lastId}) is not the head the app wrote (row ${headId})` };
  }
  const genesisHead = headId === 0 && headHash === GENESIS_HASH;
  if (!genesisHead && !(chain.headSignature && isSigned(headMessage(headId, headHash), chain.headSignature))) {
    return { ok: false, rowId: null, reason: `the head (row ${headId}) is not signed by our key: rows were rewritten` };
  }
  return { ok: true, rows, checkpointId, headId, headHash };
}
