"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getAuth } from "~/server/auth";
import { logInternalError } from "~/server/internal-error";
import { requestIdFrom } from "~/server/log/request-context";
import { endSession, startSession } from "~/server/session";
import { signInWithPassword } from "~/server/sign-in";
import { type FormState, readCredentials, waitText } from "./credentials";
import { SIGN_OUT_INCOMPLETE_URL } from "./sign-out-notice";

/**
 * Form action (works before hydration: the form posts). Returns what was typed, minus the
 * password, so the form keeps it; a wrong password and an unknown email get one message.
 */
export async function signIn(_previous: FormState, form: FormData): Promise<FormState> {
  const parsed = readCredentials(form);
  if (!parsed.ok) return parsed.state;
  const { email, password } = parsed.value;
  try {
    // The token endpoint's budgets: both doors share them.
    const result = await signInWithPassword(await getAuth(), { email, password, headers: await headers() });
    if (!result.ok) {
      return {
        values: { email },
        error:
          result.code === "throttled"
            ? `Too many sign-in attempts. Try again in ${waitText(result.retryAfterSeconds)}.`
            : "Wrong email or password.",
      };
    }
    await startSession(result.user);
  } catch (error) {
    const requestId = logInternalError("sign-in", error, requestIdFrom(await headers()));
    return {
      values: { email },
      error: `Sign-in is unavailable right now. Try again in a moment. (Request ${requestId})`,
    };
  }
  redirect("/account");
}

/** Signs out; when the server could not end the session, the sign-in page says so (never a silent success). */
export async function signOut(): Promise<void> {
  const outcome = await endSession();
  redirect(outcome === "revoked" ? "/login" : SIGN_OUT_INCOMPLETE_URL);
}
