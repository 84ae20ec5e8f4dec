"use client";

import { useActionState } from "react";
import { FormField } from "~/components/form-field";
import { changePasswordAction } from "./password-actions";
import { EMPTY_PASSWORD_FORM } from "./password-form-state";

/** `minLength` from the server's password policy (the policy module stays out of the browser bundle). */
export function ChangePasswordForm({ minLength }: { minLength: number }) {
  const [state, action, pending] = useActionState(changePasswordAction, EMPTY_PASSWORD_FORM);
  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <form action={action} className="stack" aria-label="Change password" noValidate>
        {state.error ? <p role="alert">{state.error}</p> : null}
        {state.done ? <p role="status">{state.done}</p> : null}
        <FormField
          id="current-password"
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
        />
        <FormField
          id="new-password"
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint={`At least ${minLength} characters. Every other sign-in will be signed out.`}
          required
        />
        <button type="submit" disabled={pending}>
          {pending ? "Changing…" : "Change password"}
        </button>
      </form>
    </section>
  );
}
