import type { RefreshTokenStore } from "@gatehouse/auth/refresh-token";
import type { Database } from "@gatehouse/db/client";
import * as queries from "@gatehouse/db/refresh-tokens";

/** The refresh-token port on @gatehouse/db: each method is the query of the same shape. */
export function createRefreshTokenStore(database: () => Promise<Database>): RefreshTokenStore {
  const db = async () => (await database()).db;
  return {
    insert: async (token) => queries.insertRefreshToken(await db(), token),
    findByHash: async (hash) => queries.findRefreshTokenByHash(await db(), hash),
    exchange: async (spentId, usedAt, successor) =>
      queries.exchangeRefreshToken(await db(), spentId, usedAt, successor),
    revokeFamily: async (familyId, at, userId) => queries.revokeRefreshTokenFamily(await db(), familyId, at, userId),
    revokeAllForUser: async (userId, at) => queries.revokeUserRefreshTokens(await db(), userId, at),
    listActiveFamilies: async (userId, now) => queries.listActiveRefreshTokenFamilies(await db(), userId, now),
  };
}
