"use client";

import { useActionState } from "react";
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
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.values.email}
          key={`email-${state.values.email}`}
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={errors.email ? "email-error" : undefined}
        />
        {errors.email ? (
          <span id="email-error" className="field-error">
            {errors.email}
          </span>
        ) : null}
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? "password-error" : undefined}
        />
        {errors.password ? (
          <span id="password-error" className="field-error">
            {errors.password}
          </span>
        ) : null}
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
