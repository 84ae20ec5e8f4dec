"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { type FormState, readCredentials, waitText } from "~/app/login/credentials";
import { getAuth } from "~/server/auth";
import { logInternalError } from "~/server/internal-error";
import { requestIdFrom } from "~/server/log/request-context";
import { startSession } from "~/server/session";
import { signUpWithThrottle } from "~/server/sign-up";

/**
 * Form action (works before hydration: the form posts). Returns what was typed, minus the
 * password, so the form keeps the email; policy and duplicate-email problems are field errors.
 */
export async function signUp(_previous: FormState, form: FormData): Promise<FormState> {
  const parsed = readCredentials(form);
  if (!parsed.ok) return parsed.state;
  const { email, password } = parsed.value;
  try {
    // Every attempt counts (not only failures): account creation is what a bot would flood.
    const result = await signUpWithThrottle(await getAuth(), { email, password, headers: await headers() });
    if (!result.ok && result.code === "throttled") {
      return {
        values: { email },
        error: `Too many sign-ups right now. Try again in ${waitText(result.retryAfterSeconds)}.`,
      };
    }
    if (!result.ok) {
      return {
        values: { email },
        error: "Check the highlighted fields.",
        fieldErrors: { [result.field]: result.message },
      };
    }
    await startSession(result.user);
  } catch (error) {
    const requestId = logInternalError("sign-up", error, requestIdFrom(await headers()));
    return {
      values: { email },
      error: `Sign-up is unavailable right now. Try again in a moment. (Request ${requestId})`,
    };
  }
  redirect("/account");
}
