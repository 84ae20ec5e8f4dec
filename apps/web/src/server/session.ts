/**
 * Browser sessions from server actions: sign-in sets the cookies, sign-out revokes the
 * refresh-token family and clears them. Page code never sees a token.
 */
import "server-only";
import type { User } from "@gatehouse/db/users";
import { cookies, headers } from "next/headers";
import { revokeAccess } from "./access-revocation";
import { getAuth } from "./auth";
import { getDatabase } from "./db";
import { logInternalError } from "./internal-error";
import { clearedCookie, refreshCookieName, sessionCookieName } from "./session-cookies";
import { newSessionCookies } from "./session-tokens";

export async function startSession(user: User): Promise<void> {
  const userAgent = (await headers()).get("user-agent");
  const jar = await cookies();
  for (const { name, value, attributes } of await newSessionCookies(user, userAgent)) jar.set(name, value, attributes);
}

/**
 * Signs this browser out. Resolves `"revoked"` when the server ended the sign-in (or there was
 * none), `"revocation_failed"` when it could not (database down): then a copy of the refresh
 * token still works, and the caller must say so rather than report a clean sign-out.
 * Either way both cookies are cleared, so a shared computer is not left signed in.
 */
export async function endSession(): Promise<"revoked" | "revocation_failed"> {
  const jar = await cookies();
  const refreshToken = jar.get(refreshCookieName())?.value;
  let outcome: "revoked" | "revocation_failed" = "revoked";
  if (refreshToken) {
    try {
      // The whole family, so a copied refresh token dies with the sign-out (OWASP ASVS V7.4.1),
      // and its access tokens with it (a copied session cookie too), on every instance.
      const auth = await getAuth();
      const familyId = await auth.refreshTokens.revoke(refreshToken);
      if (familyId !== null) {
        // The log must not turn a sign-out into a failed one: without request headers, no address.
        const requestHeaders = await Promise.resolve()
          .then(() => headers())
          .catch(() => undefined);
        void auth.events.record({ type: "sign_out", familyId, headers: requestHeaders, detail: `sign-in ${familyId}` });
        await revokeAccess({ database: await getDatabase(), list: auth.accessRevocations }, [
          { kind: "family", subject: familyId },
        ]);
      }
    } catch (error) {
      logInternalError("sign-out revoke", error);
      outcome = "revocation_failed";
    }
  }
  jar.delete(clearedCookie(sessionCookieName()));
  jar.delete(clearedCookie(refreshCookieName()));
  return outcome;
}
