"use server";

import { redirect } from "next/navigation";
import { type FormState, readCredentials } from "~/app/login/credentials";
import { startSession } from "~/server/session";
import { signUpUser } from "~/server/sign-up";

/**
 * Form action (works before hydration: the form posts). Returns what was typed, minus the
 * password, so the form keeps the email; policy and duplicate-email problems are field errors.
 */
export async function signUp(_previous: FormState, form: FormData): Promise<FormState> {
  const parsed = readCredentials(form);
  if (!parsed.ok) return parsed.state;
  const { email, password } = parsed.value;
  try {
    const result = await signUpUser({ email, password });
    if (!result.ok) {
      return {
        values: { email },
        error: "Check the highlighted fields.",
        fieldErrors: { [result.field]: result.message },
      };
    }
    await startSession(result.user);
  } catch (error) {
    console.error("sign-up failed:", error);
    return { values: { email }, error: "Sign-up is unavailable right now. Try again in a moment." };
  }
  redirect("/account");
}
