/**
 * The one way the app changes what an account may do: its scopes, or whether it is disabled.
 * An API key's scopes are capped by its owner's and a disabled owner's keys are refused, but
 * verifiers cache a key (owner row included) for 30 s; so after the UPDATE commits, this
 * process's verifiers drop the owner's keys at once and every other instance is told through
 * the API-key revocation channel (LISTEN/NOTIFY, see `subscribeToRevocations`).
 *
 * Not `server-only`: the operator CLI (`pnpm gatehouse users …`) calls it too, from its own
 * process, where the NOTIFY is what reaches the running app.
 */
import { API_KEY_REVOKED_CHANNEL, type ApiKeyVerifier, ownerRevocationPayload } from "@gatehouse/auth/api-key-verifier";
import type { RevocationList } from "@gatehouse/auth/revocation-list";
import type { Database } from "@gatehouse/db/client";
import { setUserDisabled, setUserScopes } from "@gatehouse/db/users";
import { revokeAccess } from "./access-revocation";
import { scopes as registry } from "./scopes";

export interface UserAccessContext {
  database: Database;
  /** This process's API-key verifiers (the app passes `getAuth().apiKeys`; the CLI has none). */
  verifiers?: readonly Pick<ApiKeyVerifier, "invalidateOwner">[];
  /** This process's access-token revocation list (the app passes `getAuth().accessRevocations`; the CLI has none). */
  revocations?: RevocationList;
}

/**
 * Replaces a user's scopes (each known to the app's registry); their keys narrow at once,
 * everywhere. Their access tokens issued so far are refused (they carry the old scopes): the
 * next refresh or sign-in gets tokens with the new ones.
 */
export async function changeUserScopes(
  context: UserAccessContext,
  input: { userId: string; scopes: readonly string[] },
): Promise<void> {
  const unknown = input.scopes.filter((scope) => !registry.has(scope));
  if (unknown.length > 0) throw new RangeError(`Unknown scope: ${unknown.join(", ")}`);
  await setUserScopes(context.database.db, input.userId, input.scopes);
  await announce(context, input.userId);
}

/** Disables (or re-enables) a user; a disabled user's keys and access tokens stop working at once, everywhere. */
export async function changeUserDisabled(
  context: UserAccessContext,
  input: { userId: string; disabled: boolean },
): Promise<void> {
  await setUserDisabled(context.database.db, input.userId, input.disabled);
  await announce(context, input.userId);
}

async function announce(context: UserAccessContext, userId: string): Promise<void> {
  for (const verifier of context.verifiers ?? []) verifier.invalidateOwner(userId);
  await context.database.notify(API_KEY_REVOKED_CHANNEL, ownerRevocationPayload(userId));
  await revokeAccess({ database: context.database, list: context.revocations }, [{ kind: "user", subject: userId }]);
}
