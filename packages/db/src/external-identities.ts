/**
 * External identities (an OIDC issuer's `iss` + `sub`) and the local users they are linked to;
 * see `externalIdentities` in schema.ts. The link is the only path from a foreign token to an
 * account: a foreign `sub` is never looked up in `users`.
 */
import { and, eq, getTableColumns } from "drizzle-orm";
import type { Db } from "./client";
import { externalIdentities, type User, users } from "./schema";

export interface ExternalIdentity {
  issuer: string;
  subject: string;
}

/** The user linked to this identity, or `undefined`. */
export async function findUserByExternalIdentity(db: Db, identity: ExternalIdentity): Promise<User | undefined> {
  const [row] = await db
    .select(getTableColumns(users))
    .from(externalIdentities)
    .innerJoin(users, eq(users.id, externalIdentities.userId))
    .where(and(eq(externalIdentities.issuer, identity.issuer), eq(externalIdentities.subject, identity.subject)))
    .limit(1);
  return row;
}

/**
 * The user linked to this identity; on first use, a new user (no email, no password, no
 * scopes) and its link, in one transaction. Two first requests at once: one link wins (the
 * primary key), the other's user is rolled back and the winner's returned.
 */
export async function userForExternalIdentity(db: Db, identity: ExternalIdentity): Promise<User> {
  if (!identity.issuer || !identity.subject)
    throw new TypeError("userForExternalIdentity: issuer and subject required");
  const linked = await findUserByExternalIdentity(db, identity);
  if (linked) return linked;
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ email: null, passwordHash: null, scopes: [] }).returning();
      if (!user) throw new Error("insert returned no row");
      await tx.insert(externalIdentities).values({ ...identity, userId: user.id });
      return user;
    });
  } catch (error) {
    const winner = await findUserByExternalIdentity(db, identity);
    if (winner) return winner;
    throw error;
  }
}
