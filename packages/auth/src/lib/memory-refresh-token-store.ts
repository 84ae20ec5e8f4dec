/**
 * An in-memory `RefreshTokenStore` for tests: the same contract as the db queries
 * (family-wide revocation, atomic exchange, unique token hash), users kept in a map the test can edit.
 */
import type { NewRefreshToken, RefreshTokenFamily, RefreshTokenStore, StoredRefreshToken } from "../refresh-token";

interface Row extends NewRefreshToken {
  usedAt: Date | null;
  replacedBy: string | null;
  revokedAt: Date | null;
}

export interface MemoryUser {
  disabled: boolean;
  scopes: string[];
}

export interface MemoryRefreshTokenStore extends RefreshTokenStore {
  readonly rows: Row[];
  readonly users: Map<string, MemoryUser>;
}

export function createMemoryRefreshTokenStore(users = new Map<string, MemoryUser>()): MemoryRefreshTokenStore {
  const rows: Row[] = [];
  const tick = () => Promise.resolve(); // an await point, so concurrent callers interleave as with a db
  const familyRevoked = (familyId: string) => rows.some((r) => r.familyId === familyId && r.revokedAt);

  return {
    rows,
    users,
    async insert(token) {
      await tick();
      if (rows.some((r) => r.tokenHash === token.tokenHash || r.id === token.id)) throw new Error("duplicate");
      rows.push({ ...token, scopes: [...token.scopes], usedAt: null, replacedBy: null, revokedAt: null });
    },
    async findByHash(tokenHash) {
      await tick();
      const row = rows.find((r) => r.tokenHash === tokenHash);
      if (!row) return undefined;
      const user = users.get(row.userId);
      const successor = row.replacedBy ? rows.find((r) => r.id === row.replacedBy) : undefined;
      const stored: StoredRefreshToken = {
        id: row.id,
        familyId: row.familyId,
        userId: row.userId,
        scopes: [...row.scopes],
        userAgent: row.userAgent,
        createdAt: row.createdAt,
        familyCreatedAt: row.familyCreatedAt,
        expiresAt: row.expiresAt,
        usedAt: row.usedAt,
        replacedBy: row.replacedBy,
        revoked: familyRevoked(row.familyId),
        successorUsed: Boolean(successor?.usedAt),
        userDisabled: user?.disabled ?? true,
        userScopes: [...(user?.scopes ?? [])],
      };
      return stored;
    },
    async exchange(spentId, usedAt, successor) {
      await tick();
      // Synchronous from here on: the check and both writes happen with no await between them.
      const row = rows.find((r) => r.id === spentId);
      if (!row || row.usedAt || familyRevoked(row.familyId)) return false;
      // The unique index on token_hash: a transaction inserting a duplicate fails whole.
      if (rows.some((r) => r.tokenHash === successor.tokenHash || r.id === successor.id)) throw new Error("duplicate");
      row.usedAt = usedAt;
      row.replacedBy = successor.id;
      rows.push({ ...successor, scopes: [...successor.scopes], usedAt: null, replacedBy: null, revokedAt: null });
      return true;
    },
    async revokeFamily(familyId, at, userId) {
      await tick();
      let count = 0;
      for (const r of rows) {
        if (r.familyId === familyId && (userId === undefined || r.userId === userId) && !r.revokedAt) {
          r.revokedAt = at;
          count++;
        }
      }
      return count;
    },
    async revokeAllForUser(userId, at) {
      await tick();
      let count = 0;
      for (const r of rows) {
        if (r.userId === userId && !r.revokedAt) {
          r.revokedAt = at;
          count++;
        }
      }
      return count;
    },
    async listActiveFamilies(userId, now) {
      await tick();
      const families = new Map<string, Row[]>();
      for (const r of rows) if (r.userId === userId) families.set(r.familyId, [...(families.get(r.familyId) ?? []), r]);
      const out: (RefreshTokenFamily & { newest: number })[] = [];
      for (const [familyId, members] of families) {
        if (members.some((r) => r.revokedAt)) continue;
        const live = members.filter((r) => !r.usedAt && r.expiresAt > now);
        if (live.length === 0) continue;
        const used = members.flatMap((r) => (r.usedAt ? [r.usedAt.getTime()] : []));
        const newest = members.reduce((a, b) => (b.createdAt >= a.createdAt ? b : a));
        out.push({
          familyId,
          userAgent: newest.userAgent,
          createdAt: new Date(Math.min(...members.map((r) => r.createdAt.getTime()))),
          lastUsedAt: used.length ? new Date(Math.max(...used)) : null,
          expiresAt: new Date(Math.max(...live.map((r) => r.expiresAt.getTime()))),
          newest: newest.createdAt.getTime(),
        });
      }
      return out.sort((a, b) => b.newest - a.newest).map(({ newest: _, ...family }) => family);
    },
  };
}
