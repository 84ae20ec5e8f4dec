"use client";

import { useActionState } from "react";
import { FormField } from "~/components/form-field";
import { signIn } from "./actions";
import { EMPTY_FORM } from "./credentials";

export function LoginForm() {
  const [state, action, pending] = useActionState(signIn, EMPTY_FORM);
  const errors = state.fieldErrors ?? {};
  return (
    <form
      action={action}
      className="stack"
      aria-label="Sign in"
      noValidate
      aria-describedby={state.error ? "login-error" : undefined}
    >
      {state.error ? (
        <p id="login-error" role="alert">
          {state.error}
        </p>
      ) : null}
      <FormField
        id="login-email"
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        defaultValue={state.values.email}
        key={`email-${state.values.email}`}
        error={errors.email}
      />
      <FormField
        id="login-password"
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.password}
      />
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
