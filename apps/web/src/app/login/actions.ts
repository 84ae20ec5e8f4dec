"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { authenticatePassword, clientAddress, getAuth } from "~/server/auth";
import { logInternalError } from "~/server/internal-error";
import { passwordThrottleKey } from "~/server/login-throttle";
import { endSession, startSession } from "~/server/session";
import { type FormState, readCredentials } from "./credentials";

/**
 * Form action (works before hydration: the form posts). Returns what was typed, minus the
 * password, so the form keeps it; a wrong password and an unknown email get one message.
 */
export async function signIn(_previous: FormState, form: FormData): Promise<FormState> {
  const parsed = readCredentials(form);
  if (!parsed.ok) return parsed.state;
  const { email, password } = parsed.value;
  // Same key as the token endpoint's, so both doors share one budget per email and address.
  const key = passwordThrottleKey(clientAddress(await headers()), email);
  let user: Awaited<ReturnType<typeof authenticatePassword>>;
  try {
    const { loginThrottle } = await getAuth();
    const decision = await loginThrottle.check(key);
    if (!decision.allowed) {
      return {
        values: { email },
        error: `Too many attempts. Try again in ${decision.retryAfterSeconds ?? 60} seconds.`,
      };
    }
    user = await authenticatePassword(email, password);
    await loginThrottle.record(key, user ? "success" : "failure");
    if (user) await startSession(user);
  } catch (error) {
    const requestId = logInternalError("sign-in", error);
    return {
      values: { email },
      error: `Sign-in is unavailable right now. Try again in a moment. (Request ${requestId})`,
    };
  }
  if (!user) return { values: { email }, error: "Wrong email or password." };
  redirect("/account");
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect("/login");
}
