import { hashPassword } from "@gatehouse/auth/password";
import type { Database } from "@gatehouse/db/client";
import { revokeUserRefreshTokens } from "@gatehouse/db/refresh-tokens";
import { updateUserPasswordHash } from "@gatehouse/db/users";
import { revokeAccess } from "../server/access-revocation";
import type { ChainKey } from "../server/auth-event-key";
import { checkPassword } from "../server/password-policy";
import { CliError } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { recordOperatorEvent } from "./operator-event";

/**
 * Sets a user's password (an operator's reset). The password comes on standard input, never
 * the command line (shell history, `ps`). Like `account.changePassword`: the sign-up policy
 * applies, every sign-in of the user ends and every access token issued so far is refused on
 * every running instance (NOTIFY `access_revoked`).
 */
export async function usersSetPassword(
  input: { email?: string | undefined },
  context: {
    database: Database;
    output: { err(line: string): void };
    readSecret: () => Promise<string>;
    key: ChainKey;
  },
): Promise<void> {
  const { database } = context;
  const user = await findUserOrFail(database.db, input.email);
  // One trailing newline is the pipe's (`echo`), not the password's.
  const password = (await context.readSecret()).replace(/\r?\n$/, "");
  const policy = checkPassword(password);
  if (!policy.ok) throw new CliError(`The new password is refused: ${policy.message}`);
  await updateUserPasswordHash(database.db, user.id, await hashPassword(password));
  const ended = await revokeUserRefreshTokens(database.db, user.id, new Date());
  await revokeAccess({ database }, [{ kind: "user", subject: user.id }]);
  context.output.err(`Password of ${user.email} set; ${ended} refresh token(s) revoked, every sign-in ended`);
  await recordOperatorEvent(context, {
    type: "password.changed",
    userId: user.id,
    detail: "set by an operator; every sign-in ended",
    change: `The password of ${user.email} was set`,
  });
}
