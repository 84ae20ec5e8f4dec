/**
 * Creating an account: the sign-up budgets, the password policy, then an argon2id hash, then
 * the row with the default scopes. Knows nothing of forms or cookies; the sign-up action maps
 * the result to field errors and starts the session.
 */
import "server-only";
import { hashPassword } from "@gatehouse/auth/password";
import type { Database } from "@gatehouse/db/client";
import { createUser, EmailTakenError, type User } from "@gatehouse/db/users";
import type { AuthServices } from "./auth";
import { getDatabase } from "./db";
import { checkPassword, type PasswordProblemCode } from "./password-policy";
import { DEFAULT_USER_SCOPES } from "./scopes";

export type SignUpResult =
  | { ok: true; user: User }
  | { ok: false; field: "email"; code: "email_taken"; message: string }
  | { ok: false; field: "password"; code: PasswordProblemCode; message: string };

export interface SignUpInput {
  /** Already checked for shape by the caller; stored as typed, unique in any letter case. */
  email: string;
  password: string;
}

export async function signUpUser(
  input: SignUpInput,
  database: () => Promise<Database> = getDatabase,
): Promise<SignUpResult> {
  const policy = checkPassword(input.password);
  if (!policy.ok) return { ok: false, field: "password", code: policy.code, message: policy.message };
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await createUser((await database()).db, {
      email: input.email,
      passwordHash,
      scopes: DEFAULT_USER_SCOPES,
    });
    return { ok: true, user };
  } catch (error) {
    // The unique index on lower(email) decides, so two sign-ups racing for one address cannot both win.
    if (error instanceof EmailTakenError) {
      return { ok: false, field: "email", code: "email_taken", message: "An account with this email already exists" };
    }
    throw error;
  }
}

export type ThrottledSignUpResult = SignUpResult | { ok: false; code: "throttled"; retryAfterSeconds: number };

/**
 * `signUpUser` behind the sign-up budgets: the attempt is counted (whatever its outcome)
 * before any hashing; the address comes from `headers` only through a trusted proxy.
 */
export async function signUpWithThrottle(
  services: Pick<AuthServices, "signUpThrottle" | "clientAddress">,
  input: SignUpInput & { headers: Headers },
  database: () => Promise<Database> = getDatabase,
): Promise<ThrottledSignUpResult> {
  const decision = await services.signUpThrottle.reserve(services.clientAddress(input.headers));
  if (!decision.allowed) return { ok: false, code: "throttled", retryAfterSeconds: decision.retryAfterSeconds };
  return signUpUser({ email: input.email, password: input.password }, database);
}
