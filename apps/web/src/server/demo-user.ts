import { hashPassword } from "@gatehouse/auth/password";
import type { Db } from "@gatehouse/db/client";
import { createUser, EmailTakenError, findUserByEmail } from "@gatehouse/db/users";
import { DEFAULT_USER_SCOPES } from "./scopes";

/** Shown on the login page in development only; never created in production unless asked. */
export const DEMO_USER = { email: "demo@gatehouse.dev", password: "correct-horse-battery-staple" } as const;

export async function ensureDemoUser(db: Db): Promise<void> {
  if (await findUserByEmail(db, DEMO_USER.email)) return;
  try {
    await createUser(db, {
      email: DEMO_USER.email,
      passwordHash: await hashPassword(DEMO_USER.password),
      scopes: DEFAULT_USER_SCOPES,
    });
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error; // Another instance seeded it first.
  }
}
