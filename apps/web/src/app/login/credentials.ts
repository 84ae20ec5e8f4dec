/** Reading an email/password form: the checks both sign-in and sign-up share. */
import { isStorableText } from "~/lib/input-schemas";

export interface FormState {
  values: { email: string };
  error?: string;
  fieldErrors?: { email?: string; password?: string };
}

export const EMPTY_FORM: FormState = { values: { email: "" } };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_PASSWORD = 128;

export function readCredentials(
  form: FormData,
): { ok: true; value: { email: string; password: string } } | { ok: false; state: FormState } {
  const rawEmail = form.get("email");
  const rawPassword = form.get("password");
  const email = typeof rawEmail === "string" ? rawEmail.trim().slice(0, 320) : "";
  const password = typeof rawPassword === "string" ? rawPassword : "";
  const fieldErrors: FormState["fieldErrors"] = {};
  // A NUL would reach Postgres (and its error the logs); refuse it as a field error, like any typo.
  if (!isStorableText(email)) fieldErrors.email = "The email address contains characters that are not allowed.";
  else if (email === "") fieldErrors.email = "Enter your email address.";
  else if (!EMAIL.test(email) || email.length > 254) fieldErrors.email = "Enter a valid email address.";
  if (!isStorableText(password)) fieldErrors.password = "The password contains characters that are not allowed.";
  else if (password === "") fieldErrors.password = "Enter your password.";
  else if (password.length > MAX_PASSWORD) fieldErrors.password = `Passwords are at most ${MAX_PASSWORD} characters.`;
  if (fieldErrors.email || fieldErrors.password) {
    return { ok: false, state: { values: { email }, error: "Check the highlighted fields.", fieldErrors } };
  }
  return { ok: true, value: { email, password } };
}

/** "45 seconds", "1 minute", "15 minutes": how long a throttled form must wait, for its message. */
export function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}
