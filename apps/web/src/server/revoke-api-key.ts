/**
 * Revoking an API key, the one way every caller does it (the keys page, `POST /api/revoke`):
 * the key and every key it minted in one transaction (@gatehouse/db `revokeApiKey`), dropped
 * from this process's cache at once and from every other instance's through NOTIFY.
 */
import type { ApiKeyVerifier } from "@gatehouse/auth/api-key-verifier";
import { API_KEY_REVOKED_CHANNEL } from "@gatehouse/auth/api-key-verifier";
import { revokeApiKey } from "@gatehouse/db/api-keys";
import type { Database } from "@gatehouse/db/client";

/** Resolves how many keys were revoked: 0 when the owner has no such live key. */
export async function revokeApiKeyEverywhere(
  database: Database,
  apiKeys: Pick<ApiKeyVerifier, "invalidate">,
  ref: { userId: string; id: string },
): Promise<number> {
  const hashes = await revokeApiKey(database.db, ref);
  for (const hash of hashes) {
    apiKeys.invalidate(hash);
    await database.notify(API_KEY_REVOKED_CHANNEL, hash);
  }
  return hashes.length;
}
