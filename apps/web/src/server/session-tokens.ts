/**
 * What a browser session is made of: a short access token and a rotating refresh token,
 * both in HttpOnly cookies. Shared by sign-in (server actions) and the proxy that renews
 * the access token when it is about to expire.
 */
import { env } from "~/env";
import { getAuth } from "./auth";
import { type CookieAttributes, cookieAttributes, refreshCookieName, sessionCookieName } from "./session-cookies";
import { unverifiedClaims } from "./unverified-claims";

export interface SessionCookie {
  name: string;
  value: string;
  attributes: CookieAttributes;
}

async function accessCookie(userId: string, scopes: readonly string[], familyId: string): Promise<SessionCookie> {
  const { issuer } = await getAuth();
  // `sid` ties the access token to its sign-in, so the sessions page can mark "this device".
  const token = await issuer.createAccessToken({ sub: userId, kind: "user", scope: scopes.join(" "), sid: familyId });
  return { name: sessionCookieName(), value: token.access_token, attributes: cookieAttributes(token.expires_in) };
}

function refreshCookie(token: string, expiresAt: Date): SessionCookie {
  const maxAge = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return {
    name: refreshCookieName(),
    value: token,
    attributes: cookieAttributes(Math.min(maxAge, env().refreshTokenTtl)),
  };
}

/** A new sign-in: a refresh-token family and its first access token. */
export async function newSessionCookies(
  user: { id: string; scopes: readonly string[] },
  userAgent: string | null,
): Promise<SessionCookie[]> {
  const { refreshTokens } = await getAuth();
  const issued = await refreshTokens.issue({
    userId: user.id,
    scopes: user.scopes,
    userAgent: userAgent?.slice(0, 256) ?? null,
  });
  return [await accessCookie(user.id, user.scopes, issued.familyId), refreshCookie(issued.token, issued.expiresAt)];
}

/** Spends the refresh token for a new pair; throws `RefreshTokenError` when it is not good. */
export async function rotatedSessionCookies(refreshToken: string): Promise<SessionCookie[]> {
  const { refreshTokens } = await getAuth();
  const rotated = await refreshTokens.rotate(refreshToken);
  return [
    await accessCookie(rotated.userId, rotated.scopes, rotated.familyId),
    refreshCookie(rotated.token, rotated.expiresAt),
  ];
}

/** Seconds until the (unverified) access token expires; `0` when absent or unreadable. Only decides when to renew. */
export function secondsLeft(accessToken: string | undefined, now = Date.now()): number {
  const exp = unverifiedClaims(accessToken)?.exp;
  return typeof exp === "number" ? Math.max(0, exp - Math.floor(now / 1000)) : 0;
}

/**
 * Renew now? When the access token is about to lapse, or when it is revoked while its sign-in
 * may live on (a user cut-off after a scope change): the refresh token then decides, so the
 * browser gets a token with the new scopes instead of looking signed out until `exp`.
 */
export async function needsRenewal(accessToken: string | undefined, marginSeconds: number): Promise<boolean> {
  if (secondsLeft(accessToken) <= marginSeconds) return true;
  const claims = unverifiedClaims(accessToken);
  return claims !== undefined && (await getAuth()).accessRevocations.isRevoked(claims);
}
