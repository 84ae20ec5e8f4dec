/**
 * What the security log records (#11 §5), and how the account page and the CLI name it.
 * Adding a type: add it here, record it where it happens (server/auth-event-recorder.ts in the
 * app, cli/operator-event.ts in the operator CLI).
 */
export const AUTH_EVENT_LABELS = {
  "sign_in.succeeded": "Signed in",
  "sign_in.failed": "Sign-in failed (wrong email or password)",
  "sign_in.throttled": "Sign-in refused (too many attempts)",
  "refresh.reuse_detected": "A used session token came back: that sign-in was ended",
  sign_out: "Signed out",
  "sign_out.everywhere": "Signed out everywhere",
  "session.revoked": "A sign-in was ended from the account page",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "api_key.used_after_revocation": "A revoked API key was used",
  "token.revoked": "A token was revoked at /api/revoke",
  "scope.denied": "Refused: missing scope",
  "password.changed": "Password changed",
  "user.disabled": "Account disabled by an operator",
  "user.enabled": "Account re-enabled by an operator",
  "user.scopes_changed": "Permissions (scopes) changed by an operator",
} as const;

export type AuthEventType = keyof typeof AUTH_EVENT_LABELS;

export function authEventLabel(type: string): string {
  return Object.hasOwn(AUTH_EVENT_LABELS, type) ? AUTH_EVENT_LABELS[type as AuthEventType] : type;
}
