"use server";

import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";
import { logInternalError } from "~/server/internal-error";
import { createCaller } from "~/server/routers/_app";
import { createContext } from "~/server/trpc";
import { requestHeaders } from "~/trpc/server";
import type { PasswordFormState } from "./password-form-state";

/**
 * Form action (works before hydration: the form posts, so no password lands in a URL). Calls
 * `account.changePassword` on a context of its own (not the page's cached one): the procedure
 * replaces this browser's session cookies. Passwords are never sent back into the form.
 */
export async function changePasswordAction(_previous: PasswordFormState, form: FormData): Promise<PasswordFormState> {
  const currentPassword = form.get("currentPassword");
  const newPassword = form.get("newPassword");
  if (typeof currentPassword !== "string" || currentPassword === "") return { error: "Enter your current password." };
  if (typeof newPassword !== "string" || newPassword === "") return { error: "Enter a new password." };
  try {
    const caller = createCaller(await createContext({ headers: await requestHeaders() }));
    await caller.account.changePassword({ currentPassword, newPassword });
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "UNAUTHORIZED") redirect("/login");
      // Input checks (a NUL, an absurd length) come as a zod message list: one plain sentence instead.
      if (error.code === "BAD_REQUEST" && !error.message.startsWith("[")) return { error: error.message };
      if (error.code === "BAD_REQUEST") return { error: "The password contains characters that are not allowed." };
      if (error.code === "TOO_MANY_REQUESTS") return { error: error.message };
    }
    const requestId = logInternalError("change password", error);
    return { error: `Changing the password is unavailable right now. Try again in a moment. (Request ${requestId})` };
  }
  return { done: "Password changed. Every other sign-in has been signed out." };
}
