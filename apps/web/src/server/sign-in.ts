/**
 * Signing in with the form: the same budgets as the token endpoint (one `loginThrottle`),
 * reserved before the password is hashed. Knows nothing of forms or cookies; the sign-in
 * action maps the result to messages and starts the session.
 */
import "server-only";
import type { User } from "@gatehouse/db/users";
import { type AuthServices, authenticatePassword } from "./auth";

export type SignInResult =
  | { ok: true; user: User }
  | { ok: false; code: "invalid_credentials" }
  | { ok: false; code: "throttled"; retryAfterSeconds: number };

export interface SignInInput {
  email: string;
  password: string;
  /** The request's headers: the client's address comes from them, only through a trusted proxy. */
  headers: Headers;
}

export async function signInWithPassword(
  services: Pick<AuthServices, "loginThrottle" | "clientAddress" | "events">,
  input: SignInInput,
): Promise<SignInResult> {
  const decision = await services.loginThrottle.reserve({
    username: input.email,
    address: services.clientAddress(input.headers),
  });
  const record = (outcome: "succeeded" | "failed" | "throttled", userId: string | null) =>
    void services.events.record({
      type: `sign_in.${outcome}`,
      userId,
      email: input.email,
      headers: input.headers,
      detail: "sign-in form",
    });
  if (!decision.allowed) {
    record("throttled", null);
    return { ok: false, code: "throttled", retryAfterSeconds: decision.retryAfterSeconds };
  }
  const user = await authenticatePassword(input.email, input.password);
  await decision.settle?.(user ? "success" : "failure");
  record(user ? "succeeded" : "failed", user?.id ?? null);
  return user ? { ok: true, user } : { ok: false, code: "invalid_credentials" };
}
