/**
 * Minting a key for a user, shared by the keys page and `pnpm gatehouse keys create`, so
 * both apply the same rules. Imports nothing `server-only`: the CLI runs under plain Node.
 */
import { issueApiKey } from "@gatehouse/auth/api-key";
import { type ApiKeyInfo, insertApiKey } from "@gatehouse/db/api-keys";
import type { Db } from "@gatehouse/db/client";
import type { User } from "@gatehouse/db/users";
import { scopeValidator } from "./scopes";

export interface CreateApiKeyInput {
  owner: Pick<User, "id" | "scopes">;
  name: string;
  /** Already checked against the app's scope registry by the caller. */
  scopes: readonly string[];
  /** Days until the key stops working; `undefined` = until revoked. */
  expiresInDays?: number | undefined;
  /** Key prefix environment: "live" in production, "test" otherwise. */
  environment: string;
  now: Date;
}

/**
 * Stores a new key and returns its row with the key itself, which exists only in this answer
 * (the database keeps its SHA-256). Throws `Forbidden` (code `invalid_scope`) for a scope the
 * owner does not hold: a key never holds more than its owner, and the verifier checks again
 * at every use.
 */
export async function createApiKey(db: Db, input: CreateApiKeyInput): Promise<ApiKeyInfo & { key: string }> {
  const issued = issueApiKey({
    scopes: input.scopes,
    ownerScopes: input.owner.scopes,
    validator: scopeValidator,
    environment: input.environment,
  });
  const expiresAt = input.expiresInDays ? new Date(input.now.getTime() + input.expiresInDays * 86_400_000) : null;
  const row = await insertApiKey(db, {
    userId: input.owner.id,
    name: input.name,
    keyHash: issued.hash,
    start: issued.start,
    scopes: issued.scopes,
    expiresAt,
  });
  return { ...row, key: issued.key };
}
