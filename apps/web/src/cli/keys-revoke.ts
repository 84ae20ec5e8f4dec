import { API_KEY_REVOKED_CHANNEL } from "@gatehouse/auth/api-key-verifier";
import { findUserApiKey, revokeApiKeyTree } from "@gatehouse/db/api-keys";
import type { Database } from "@gatehouse/db/client";
import { revokeAccess } from "../server/access-revocation";
import type { ChainKey } from "../server/auth-event-key";
import { CliError, type Output } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { recordOperatorEvent } from "./operator-event";
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
  context: { database: Database; output: Output; key: ChainKey; now?: () => Date },
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
    const also = minted ? ` and ${minted} key(s) it minted` : "";
    context.output.err(`Revoked API key ${id} of ${owner.email}${also}`);
    await recordOperatorEvent(
      { ...context, now: () => at },
      {
        type: "api_key.revoked",
        userId: owner.id,
        detail: `API key ${id}${also}`,
        change: `API key ${id} was revoked`,
      },
    );
    return;
  }
  // Nothing changed: say why (not theirs or unknown, or revoked before).
  const key = await findUserApiKey(database.db, { userId: owner.id, id });
  if (!key)
    throw new CliError(`No API key with id ${id} belongs to ${owner.email} (see: keys list --email ${owner.email})`);
  context.output.err(`API key ${id} was already revoked at ${formatTime(key.revokedAt)}; nothing to do`);
}
