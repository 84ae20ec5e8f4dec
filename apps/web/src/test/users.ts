import { hashPassword } from "@gatehouse/auth/password";
import type { Db } from "@gatehouse/db/client";
import { createUser, type User } from "@gatehouse/db/users";

let counter = 0;

/** A user with a known password and a unique email, for tests. */
export async function createTestUser(
  db: Db,
  options: { scopes?: readonly string[]; password?: string } = {},
): Promise<User & { email: string; passwordHash: string; password: string }> {
  const password = options.password ?? "a long enough test password";
  const user = await createUser(db, {
    email: `user${++counter}-${Date.now()}@example.com`,
    passwordHash: await hashPassword(password),
    scopes: options.scopes ?? ["notes:*", "api_keys:*"],
  });
  return { ...user, email: user.email ?? "", passwordHash: user.passwordHash ?? "", password };
}
