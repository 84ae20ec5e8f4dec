/** What the change-password form shows after a submit: an error, or the confirmation. Never a password. */
export interface PasswordFormState {
  error?: string;
  done?: string;
}

export const EMPTY_PASSWORD_FORM: PasswordFormState = {};
