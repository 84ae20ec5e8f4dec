/** Where `signOut` sends the browser when the server could not revoke the session it was ending. */
export const SIGN_OUT_INCOMPLETE_URL = "/login?signed-out=incomplete";

export function isSignOutIncomplete(searchParams: Record<string, unknown>): boolean {
  return searchParams["signed-out"] === "incomplete";
}

/**
 * Shown on the sign-in page after a sign-out whose revocation failed: this browser's cookies
 * are gone, but a copy of its refresh token would still work, so the user must not be told
 * all is well.
 */
export function SignOutNotice() {
  return (
    <p role="alert">
      You are signed out on this device, but the server could not end the session. Sign in again and use “Sign out
      everywhere” to end it.
    </p>
  );
}
