import type { Database } from "@gatehouse/db/client";
import type { ChainKey } from "../server/auth-event-key";
import { scopes } from "../server/scopes";
import { changeUserScopes } from "../server/user-access";
import type { Output } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { recordOperatorEvent } from "./operator-event";
import { parseScopesOption } from "./options";

export interface UsersSetScopesInput {
  email?: string | undefined;
  /** Space- or comma-separated, e.g. "notes:read api_keys:*". */
  scopes?: string | undefined;
}

/**
 * Replaces a user's scopes. Their API keys never exceed them, and every running app instance
 * drops the user's cached keys at once (NOTIFY), so a lowered scope stops working on the next
 * request, not when the cache entry expires. Access tokens already issued are refused too
 * (NOTIFY `access_revoked`); the next sign-in gets the new scopes.
 */
export async function usersSetScopes(
  input: UsersSetScopesInput,
  context: { database: Database; output: Output; key: ChainKey },
): Promise<void> {
  const wanted = parseScopesOption(input.scopes, (scope) => scopes.has(scope));
  const { database } = context;
  const user = await findUserOrFail(database.db, input.email);
  await changeUserScopes({ database }, { userId: user.id, scopes: wanted });
  const change = `${wanted.join(" ")} (were: ${user.scopes.join(" ") || "-"})`;
  context.output.err(`Scopes of ${user.email}: ${change}`);
  await recordOperatorEvent(context, {
    type: "user.scopes_changed",
    userId: user.id,
    detail: `scopes: ${change}`,
    change: `The scopes of ${user.email} were changed`,
  });
}
