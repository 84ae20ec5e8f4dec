import type { Database } from "@gatehouse/db/client";
import { changeUserDisabled } from "../server/user-access";
import type { Output } from "./cli-error";
import { findUserOrFail } from "./find-user";

/**
 * Disables (`disabled: true`) or re-enables a user. A disabled user cannot sign in, and every
 * running app instance drops the user's cached API keys at once (NOTIFY), so they are refused
 * from the next request on.
 */
export async function usersDisable(
  input: { email?: string | undefined; disabled: boolean },
  context: { database: Database; output: Output },
): Promise<void> {
  const { database } = context;
  const user = await findUserOrFail(database.db, input.email);
  await changeUserDisabled({ database }, { userId: user.id, disabled: input.disabled });
  context.output.err(`${input.disabled ? "Disabled" : "Enabled"} ${user.email}`);
}
