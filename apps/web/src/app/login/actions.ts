"use server";

import { redirect } from "next/navigation";
import { authenticatePassword } from "~/server/auth";
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
  let user: Awaited<ReturnType<typeof authenticatePassword>>;
  try {
    user = await authenticatePassword(email, password);
  } catch (error) {
    console.error("sign-in failed:", error);
    return { values: { email }, error: "Sign-in is unavailable right now. Try again in a moment." };
  }
  if (!user) return { values: { email }, error: "Wrong email or password." };
  await startSession(user);
  redirect("/account");
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect("/login");
}
