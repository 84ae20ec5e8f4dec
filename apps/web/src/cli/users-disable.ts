import type { Database } from "@gatehouse/db/client";
import type { ChainKey } from "../server/auth-event-key";
import { changeUserDisabled } from "../server/user-access";
import type { Output } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { recordOperatorEvent } from "./operator-event";

/**
 * Disables (`disabled: true`) or re-enables a user. A disabled user cannot sign in, and every
 * running app instance drops the user's cached API keys at once (NOTIFY), so they are refused
 * from the next request on.
 */
export async function usersDisable(
  input: { email?: string | undefined; disabled: boolean },
  context: { database: Database; output: Output; key: ChainKey },
): Promise<void> {
  const { database } = context;
  const user = await findUserOrFail(database.db, input.email);
  await changeUserDisabled({ database }, { userId: user.id, disabled: input.disabled });
  const done = input.disabled ? "Disabled" : "Enabled";
  context.output.err(`${done} ${user.email}`);
  await recordOperatorEvent(context, {
    type: input.disabled ? "user.disabled" : "user.enabled",
    userId: user.id,
    detail: null,
    change: `${done} ${user.email}`,
  });
}
