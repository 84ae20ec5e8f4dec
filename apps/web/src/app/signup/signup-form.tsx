"use client";

import { useActionState } from "react";
import { EMPTY_FORM } from "~/app/login/credentials";
import { signUp } from "./actions";

/** Label, control, hint and error side by side (`htmlFor`): text inside a label would rename the field. */
const FIELD = { display: "grid", gap: "0.25rem" } as const;

/** `minLength` comes from the server's policy as a prop, so the client bundle never ships the common-password list. */
export function SignUpForm({ minLength }: { minLength: number }) {
  const [state, action, pending] = useActionState(signUp, EMPTY_FORM);
  const errors = state.fieldErrors ?? {};
  const passwordDescription = errors.password ? "password-hint password-error" : "password-hint";
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
      <div style={FIELD}>
        <label htmlFor="signup-email">Email</label>
        <input
          id="signup-email"
          name="email"
          type="email"
          autoComplete="email"
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
      </div>
      <div style={FIELD}>
        <label htmlFor="signup-password">Password</label>
        <input
          id="signup-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={minLength}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={passwordDescription}
        />
        <span id="password-hint" className="muted">
          At least {minLength} characters. A few unrelated words make a good one.
        </span>
        {errors.password ? (
          <span id="password-error" className="field-error">
            {errors.password}
          </span>
        ) : null}
      </div>
      <button type="submit" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </button>
    </form>
  );
}
