import { API_KEY_REVOKED_CHANNEL } from "@gatehouse/auth/api-key-verifier";
import { findUserApiKey, revokeApiKeyTree } from "@gatehouse/db/api-keys";
import type { Database } from "@gatehouse/db/client";
import { revokeAccess } from "../server/access-revocation";
import { CliError, type Output } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { formatTime, requireOption } from "./options";

export interface KeysRevokeInput {
  email?: string | undefined;
  id?: string | undefined;
}

/**
 * Revokes one of the user's keys, and the keys it minted. After the UPDATE, publishes the key's hash on
 * `API_KEY_REVOKED_CHANNEL`, so every running app instance drops it from its cache at once
 * instead of accepting it until the cache entry expires. Revoking a revoked key changes nothing.
 */
export async function keysRevoke(
  input: KeysRevokeInput,
  context: { database: Database; output: Output; now?: () => Date },
): Promise<void> {
  const id = requireOption(input.id, "id");
  const { database } = context;
  const owner = await findUserOrFail(database.db, input.email);
  const at = context.now?.() ?? new Date();
  const revoked = await revokeApiKeyTree(database.db, { userId: owner.id, id, at });
  if (revoked.length) {
    for (const { keyHash } of revoked) await database.notify(API_KEY_REVOKED_CHANNEL, keyHash);
    // Their client-credentials access tokens too, on every running instance.
    await revokeAccess(
      { database, now: () => at.getTime() },
      revoked.map((key) => ({ kind: "key", subject: key.id })),
    );
    const minted = revoked.length - 1;
    context.output.err(`Revoked API key ${id} of ${owner.email}${minted ? ` and ${minted} key(s) it minted` : ""}`);
    return;
  }
  // Nothing changed: say why (not theirs or unknown, or revoked before).
  const key = await findUserApiKey(database.db, { userId: owner.id, id });
  if (!key)
    throw new CliError(`No API key with id ${id} belongs to ${owner.email} (see: keys list --email ${owner.email})`);
  context.output.err(`API key ${id} was already revoked at ${formatTime(key.revokedAt)}; nothing to do`);
}
