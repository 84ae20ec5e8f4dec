/**
 * Refresh-token queries. Shapes match the `RefreshTokenStore` port of
 * `@gatehouse/auth/refresh-token` one for one (each function is `(db, …port args)`), so the
 * app wires it without adapters. Revocation is per family: a token counts as revoked when
 * any token of its family is, which also covers a successor inserted concurrently with a
 * family revocation.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "./client";
import { isUuid } from "./lib/is-uuid";
import { refreshTokens, users } from "./schema";

export interface NewRefreshTokenRow {
  id: string;
  familyId: string;
  userId: string;
  /** Hex SHA-256 of the opaque token; the token itself is never stored. */
  tokenHash: string;
  scopes: readonly string[];
  userAgent: string | null;
  createdAt: Date;
  /** The family's sign-in, the same on every token of the family. */
  familyCreatedAt: Date;
  expiresAt: Date;
}

export interface RefreshTokenLookup {
  id: string;
  familyId: string;
  userId: string;
  scopes: string[];
  userAgent: string | null;
  createdAt: Date;
  familyCreatedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  replacedBy: string | null;
  /** This token or any token of its family is revoked. */
  revoked: boolean;
  /** The successor (`replacedBy`) has itself been spent. */
  successorUsed: boolean;
  userDisabled: boolean;
  userScopes: string[];
}

export interface RefreshTokenFamilySummary {
  familyId: string;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
}

/** Whether any token of the outer row's family is revoked (served by the family_id index). */
const familyRevoked = sql<boolean>`exists (select 1 from ${refreshTokens} as family where family.family_id = ${refreshTokens.familyId} and family.revoked_at is not null)`;

export async function insertRefreshToken(db: Db, token: NewRefreshTokenRow): Promise<void> {
  await db.insert(refreshTokens).values(toValues(token));
}

const successorToken = alias(refreshTokens, "successor");

/** One indexed lookup by hash, with the owner's state and the family's revocation joined in. */
export async function findRefreshTokenByHash(db: Db, tokenHash: string): Promise<RefreshTokenLookup | undefined> {
  const [row] = await db
    .select({
      id: refreshTokens.id,
      familyId: refreshTokens.familyId,
      userId: refreshTokens.userId,
      scopes: refreshTokens.scopes,
      userAgent: refreshTokens.userAgent,
      createdAt: refreshTokens.createdAt,
      familyCreatedAt: refreshTokens.familyCreatedAt,
      expiresAt: refreshTokens.expiresAt,
      usedAt: refreshTokens.usedAt,
      replacedBy: refreshTokens.replacedBy,
      revoked: familyRevoked,
      successorUsed: sql<boolean>`coalesce(${successorToken.usedAt} is not null, false)`,
      userDisabledAt: users.disabledAt,
      userScopes: users.scopes,
    })
    .from(refreshTokens)
    .innerJoin(users, eq(users.id, refreshTokens.userId))
    .leftJoin(successorToken, eq(successorToken.id, refreshTokens.replacedBy))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  if (!row) return undefined;
  const { userDisabledAt, ...rest } = row;
  return { ...rest, userDisabled: userDisabledAt !== null };
}

/**
 * Spends `spentId` and inserts its successor, in one transaction. The UPDATE is conditional
 * (`used_at IS NULL`, family unrevoked): of two concurrent callers, the second blocks on the
 * row lock, re-checks the condition after the first commits, matches nothing and gets
 * `false` — so exactly one caller wins, and the loser knows it. (A read followed by an
 * unconditional UPDATE would let both win on Postgres; PGlite, one transaction at a time,
 * would hide it.)
 */
export async function exchangeRefreshToken(
  db: Db,
  spentId: string,
  usedAt: Date,
  successor: NewRefreshTokenRow,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const spent = await tx
      .update(refreshTokens)
      .set({ usedAt, replacedBy: successor.id })
      .where(
        and(
          eq(refreshTokens.id, spentId),
          isNull(refreshTokens.usedAt),
          isNull(refreshTokens.revokedAt),
          sql`not ${familyRevoked}`,
        ),
      )
      .returning({ id: refreshTokens.id });
    if (spent.length === 0) return false;
    await tx.insert(refreshTokens).values(toValues(successor));
    return true;
  });
}

/** Revokes every unrevoked token of the family (only `userId`'s, when given). Resolves the count. */
export async function revokeRefreshTokenFamily(db: Db, familyId: string, at: Date, userId?: string): Promise<number> {
  if (!isUuid(familyId) || (userId !== undefined && !isUuid(userId))) return 0;
  const revoked = await db
    .update(refreshTokens)
    .set({ revokedAt: at })
    .where(
      and(
        eq(refreshTokens.familyId, familyId),
        isNull(refreshTokens.revokedAt),
        userId === undefined ? undefined : eq(refreshTokens.userId, userId),
      ),
    )
    .returning({ id: refreshTokens.id });
  return revoked.length;
}

/** The user a refresh-token family belongs to, or `undefined` (the security log names who a revocation hit). */
export async function findRefreshFamilyUserId(db: Db, familyId: string): Promise<string | undefined> {
  if (!isUuid(familyId)) return undefined;
  const [row] = await db
    .select({ userId: refreshTokens.userId })
    .from(refreshTokens)
    .where(eq(refreshTokens.familyId, familyId))
    .limit(1);
  return row?.userId;
}

export async function revokeUserRefreshTokens(db: Db, userId: string, at: Date): Promise<number> {
  if (!isUuid(userId)) return 0;
  const revoked = await db
    .update(refreshTokens)
    .set({ revokedAt: at })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return revoked.length;
}

/**
 * The user's sign-ins that can still refresh: no revoked token in the family and at least
 * one unused, unexpired one. Most recently active first.
 */
export async function listActiveRefreshTokenFamilies(
  db: Db,
  userId: string,
  now: Date,
): Promise<RefreshTokenFamilySummary[]> {
  if (!isUuid(userId)) return [];
  const at = now.toISOString();
  const liveExpiry = sql`max(${refreshTokens.expiresAt}) filter (where ${refreshTokens.usedAt} is null and ${refreshTokens.expiresAt} > ${at}::timestamptz)`;
  return db
    .select({
      familyId: refreshTokens.familyId,
      userAgent: sql<
        string | null
      >`(array_agg(${refreshTokens.userAgent} order by ${refreshTokens.createdAt} desc))[1]`,
      createdAt: sql`min(${refreshTokens.createdAt})`.mapWith(refreshTokens.createdAt),
      lastUsedAt: sql`max(${refreshTokens.usedAt})`.mapWith(refreshTokens.usedAt),
      expiresAt: liveExpiry.mapWith(refreshTokens.expiresAt),
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.userId, userId))
    .groupBy(refreshTokens.familyId)
    .having(sql`count(${refreshTokens.revokedAt}) = 0 and ${liveExpiry} is not null`)
    .orderBy(sql`max(${refreshTokens.createdAt}) desc`);
}

/**
 * Deletes families whose every token expired before `before` (a cleanup job, off the request
 * path). Whole families only: a spent token must stay while its family lives, or its reuse
 * would go unnoticed. Resolves the number of rows deleted.
 */
export async function deleteExpiredRefreshTokens(db: Db, before: Date): Promise<number> {
  const deleted = await db
    .delete(refreshTokens)
    .where(
      sql`${refreshTokens.familyId} in (select expired.family_id from ${refreshTokens} as expired group by expired.family_id having max(expired.expires_at) < ${before.toISOString()}::timestamptz)`,
    )
    .returning({ id: refreshTokens.id });
  return deleted.length;
}

function toValues(token: NewRefreshTokenRow): typeof refreshTokens.$inferInsert {
  return { ...token, scopes: [...token.scopes] };
}
