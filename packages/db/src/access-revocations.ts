/** Revoked access-token sources (families, keys, single tokens by jti, user cut-offs); see `accessRevocations` in schema.ts. */
import { gte, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { accessRevocations } from "./schema";

export type AccessRevocationKind = "family" | "key" | "user" | "token";

export interface AccessRevocationRow {
  kind: AccessRevocationKind;
  subject: string;
  revokedAt: Date;
}

const KINDS = new Set<string>(["family", "key", "user", "token"]);

/** Records revocations; a subject already recorded keeps the later of the two times. */
export async function recordAccessRevocations(db: Db, rows: readonly AccessRevocationRow[]): Promise<void> {
  if (rows.length === 0) return;
  for (const row of rows) {
    if (!KINDS.has(row.kind) || typeof row.subject !== "string" || row.subject === "")
      throw new TypeError("recordAccessRevocations: bad row");
  }
  await db
    .insert(accessRevocations)
    .values(rows.map((row) => ({ kind: row.kind, subject: row.subject, revokedAt: row.revokedAt })))
    .onConflictDoUpdate({
      target: [accessRevocations.kind, accessRevocations.subject],
      set: { revokedAt: sql`greatest(${accessRevocations.revokedAt}, excluded.revoked_at)` },
    });
}

/** Rows revoked at or after `since` (the oldest that can still refuse an unexpired token). */
export async function listAccessRevocationsSince(db: Db, since: Date): Promise<AccessRevocationRow[]> {
  const rows = await db.select().from(accessRevocations).where(gte(accessRevocations.revokedAt, since));
  return rows.filter((row) => KINDS.has(row.kind)) as AccessRevocationRow[];
}

/** Deletes rows older than `before`; resolves how many. */
export async function pruneAccessRevocations(db: Db, before: Date): Promise<number> {
  const deleted = await db
    .delete(accessRevocations)
    .where(lt(accessRevocations.revokedAt, before))
    .returning({ kind: accessRevocations.kind });
  return deleted.length;
}
