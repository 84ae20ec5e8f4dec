/**
 * Changing a password from a signed-in session (`account.changePassword`). The current
 * password is required (a borrowed, still signed-in browser cannot lock its owner out) and is
 * budgeted like a sign-in attempt, by the same `loginThrottle`. On success every sign-in of
 * the user ends (all refresh families revoked) and every access token issued until now is
 * refused on every instance (a user cut-off); the caller gets a fresh sign-in. Whoever held a
 * copied session or the old password is out. The security log gets `password.changed`.
 */
import "server-only";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "@gatehouse/auth/password";
import type { Database } from "@gatehouse/db/client";
import { type User, updateUserPasswordHash } from "@gatehouse/db/users";
import { revokeAccess } from "./access-revocation";
import type { AuthServices } from "./auth";
import { checkPassword } from "./password-policy";

export type PasswordChangeResult =
  | { ok: true }
  | { ok: false; code: "wrong_password" }
  | { ok: false; code: "weak_password"; message: string }
  | { ok: false; code: "throttled"; retryAfterSeconds: number };

export interface PasswordChangeInput {
  account: User;
  currentPassword: string;
  newPassword: string;
  headers: Headers;
  /** Starts the caller's fresh sign-in (sets its cookies); called after every old one is revoked. */
  startSession: (user: User) => Promise<void>;
}

export async function changePassword(
  services: Pick<AuthServices, "loginThrottle" | "clientAddress" | "refreshTokens" | "accessRevocations" | "events">,
  database: Database,
  input: PasswordChangeInput,
): Promise<PasswordChangeResult> {
  const policy = checkPassword(input.newPassword);
  if (!policy.ok) return { ok: false, code: "weak_password", message: policy.message };
  const { account } = input;
  const decision = await services.loginThrottle.reserve({
    username: account.email ?? account.id,
    address: services.clientAddress(input.headers),
  });
  if (!decision.allowed) return { ok: false, code: "throttled", retryAfterSeconds: decision.retryAfterSeconds };
  // An account without a password (linked from an external issuer) has none to confirm: same time, same answer.
  const matches = account.passwordHash
    ? await verifyPassword(account.passwordHash, input.currentPassword)
    : await verifyAgainstDummy(input.currentPassword).then(() => false);
  await decision.settle?.(matches ? "success" : "failure");
  if (!matches) return { ok: false, code: "wrong_password" };

  await updateUserPasswordHash(database.db, account.id, await hashPassword(input.newPassword));
  await services.refreshTokens.revokeAllForUser(account.id);
  const cutoff = await revokeAccess({ database, list: services.accessRevocations }, [
    { kind: "user", subject: account.id },
  ]);
  // Off the request path, like every app event; the CLI's reset records its own (cli/users-set-password.ts).
  void services.events.record({
    type: "password.changed",
    userId: account.id,
    headers: input.headers,
    detail: "every other sign-in ended",
  });
  // The fresh session's tokens must be issued after the cut-off (by iat_ms) or it would refuse them too.
  while (Date.now() <= cutoff) await new Promise((resolve) => setTimeout(resolve, 1));
  await input.startSession(account);
  return { ok: true };
}
