"use client";

import { useActionState } from "react";
import { EMPTY_FORM } from "~/app/login/credentials";
import { FormField } from "~/components/form-field";
import { signUp } from "./actions";

/** `minLength` comes from the server's policy as a prop, so the client bundle never ships the common-password list. */
export function SignUpForm({ minLength }: { minLength: number }) {
  const [state, action, pending] = useActionState(signUp, EMPTY_FORM);
  const errors = state.fieldErrors ?? {};
  return (
    <form
      action={action}
      className="stack"
      aria-label="Create an account"
      noValidate
      aria-describedby={state.error ? "signup-error" : undefined}
    >
      {state.error ? (
        <p id="signup-error" role="alert">
          {state.error}
        </p>
      ) : null}
      <FormField
        id="signup-email"
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values.email}
        key={`email-${state.values.email}`}
        error={errors.email}
      />
      <FormField
        id="signup-password"
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={minLength}
        hint={`At least ${minLength} characters. A few unrelated words make a good one.`}
        error={errors.password}
      />
      <button type="submit" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </button>
    </form>
  );
}
