/**
 * Minting a key for a user, shared by the keys page and `pnpm gatehouse keys create`, so
 * both apply the same rules. Imports nothing `server-only`: the CLI runs under plain Node.
 */
import { issueApiKey } from "@gatehouse/auth/api-key";
import { Forbidden, Unauthorized } from "@gatehouse/auth/errors";
import { type ApiKeyInfo, insertApiKey, ParentKeyRevoked } from "@gatehouse/db/api-keys";
import type { Db } from "@gatehouse/db/client";
import type { User } from "@gatehouse/db/users";
import type { MintingLimits } from "./minting-limits";
import { scopeValidator } from "./scopes";

/** A key's lifetime when the caller does not choose one: keys expire unless "never" is asked for. */
export const DEFAULT_API_KEY_LIFETIME_DAYS = 90;
/** The longest lifetime one may choose, short of "never". */
export const MAX_API_KEY_LIFETIME_DAYS = 365;

const DAY_MS = 86_400_000;

export interface CreateApiKeyInput {
  owner: Pick<User, "id" | "scopes">;
  name: string;
  /** Already checked against the app's scope registry by the caller. */
  scopes: readonly string[];
  /**
   * Days until the key stops working (1 to {@link MAX_API_KEY_LIFETIME_DAYS}); `null` = never
   * (until revoked), an explicit choice; omitted = {@link DEFAULT_API_KEY_LIFETIME_DAYS}.
   */
  expiresInDays?: number | null | undefined;
  /**
   * The credential minting the key (see `mintingLimits`): the key gets no scope it lacks and
   * does not outlive it. Omitted only by the operator CLI, which speaks for the owner.
   */
  limits?: MintingLimits | undefined;
  /** Key prefix environment: "live" in production, "test" otherwise. */
  environment: string;
  now: Date;
}

/**
 * Stores a new key and returns its row with the key itself, which exists only in this answer
 * (the database keeps its SHA-256). Throws `Forbidden`: code `insufficient_scope` naming a
 * scope the calling credential does not hold, `invalid_scope` for one the owner does not hold
 * (a key never holds more than its owner, and the verifier checks again at every use), and
 * `invalid_request` for an explicit lifetime beyond the calling credential's own.
 */
export async function createApiKey(db: Db, input: CreateApiKeyInput): Promise<ApiKeyInfo & { key: string }> {
  const { limits } = input;
  if (limits) {
    const notHeld = input.scopes.find((scope) => !scopeValidator.satisfies(limits.scopes, scope));
    if (notHeld !== undefined) throw Forbidden.missingScope(notHeld);
  }
  const expiresAt = keyExpiry(input);
  const issued = issueApiKey({
    scopes: input.scopes,
    ownerScopes: input.owner.scopes,
    validator: scopeValidator,
    environment: input.environment,
  });
  const row = await insertApiKey(db, {
    userId: input.owner.id,
    name: input.name,
    keyHash: issued.hash,
    start: issued.start,
    scopes: issued.scopes,
    expiresAt,
    parentKeyId: limits?.parentKeyId ?? null,
  }).catch((error: unknown) => {
    // Revoked between its verification (perhaps cached) and this insert: no orphan child.
    if (error instanceof ParentKeyRevoked) throw new Unauthorized("Invalid API key");
    throw error;
  });
  return { ...row, key: issued.key };
}

/** The chosen (or default) expiry, never past the calling credential's: the default is cut to it, a choice beyond it refused. */
function keyExpiry({ expiresInDays, limits, now }: CreateApiKeyInput): Date | null {
  const days = expiresInDays === undefined ? DEFAULT_API_KEY_LIFETIME_DAYS : expiresInDays;
  if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= MAX_API_KEY_LIFETIME_DAYS)) {
    throw new TypeError(`expiresInDays must be a whole number from 1 to ${MAX_API_KEY_LIFETIME_DAYS}, or null`);
  }
  const chosen = days === null ? null : new Date(now.getTime() + days * DAY_MS);
  const notAfter = limits?.notAfter ?? null;
  if (notAfter === null || (chosen !== null && chosen <= notAfter)) return chosen;
  if (expiresInDays === undefined) return notAfter;
  throw new Forbidden(
    `A key cannot outlive the credential that creates it: choose an expiry on or before ${notAfter.toISOString()}`,
    { code: "invalid_request" },
  );
}
