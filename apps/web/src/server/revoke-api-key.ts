/**
 * Revoking an API key, the one way every caller does it (the keys page, `POST /api/revoke`):
 * the key and every key it minted in one transaction (@gatehouse/db `revokeApiKeyTree`), dropped
 * from this process's cache at once and from every other instance's through NOTIFY, and the
 * client-credentials access tokens derived from them refused everywhere.
 */
import type { ApiKeyVerifier } from "@gatehouse/auth/api-key-verifier";
import { API_KEY_REVOKED_CHANNEL } from "@gatehouse/auth/api-key-verifier";
import type { RevocationList } from "@gatehouse/auth/revocation-list";
import { revokeApiKeyTree } from "@gatehouse/db/api-keys";
import type { Database } from "@gatehouse/db/client";
import { revokeAccess } from "./access-revocation";

/** Resolves how many keys were revoked: 0 when the owner has no such live key. */
export async function revokeApiKeyEverywhere(
  database: Database,
  services: { apiKeys: Pick<ApiKeyVerifier, "invalidate">; accessRevocations: RevocationList },
  ref: { userId: string; id: string },
): Promise<number> {
  const revoked = await revokeApiKeyTree(database.db, ref);
  for (const { keyHash } of revoked) {
    services.apiKeys.invalidate(keyHash);
    await database.notify(API_KEY_REVOKED_CHANNEL, keyHash);
  }
  // The access tokens minted from them (client credentials) die too, on every instance.
  await revokeAccess(
    { database, list: services.accessRevocations },
    revoked.map(({ id }) => ({ kind: "key", subject: id })),
  );
  return revoked.length;
}
