import type { Db } from "@gatehouse/db/client";
import { findUserByEmail, type User } from "@gatehouse/db/users";
import { CliError } from "./cli-error";
import { requireOption } from "./options";

/** The user with this email (any letter case), or a CliError naming the email. */
export async function findUserOrFail(db: Db, email: string | undefined): Promise<User> {
  const wanted = requireOption(email, "email");
  const user = await findUserByEmail(db, wanted);
  if (!user) throw new CliError(`No user with email ${wanted}`);
  return user;
}
