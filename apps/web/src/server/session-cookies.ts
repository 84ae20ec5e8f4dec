/** Names and attributes of the browser session cookies, in one place. */
import { env } from "~/env";

/**
 * `__Host-` wherever the cookies are Secure (production): the browser then refuses any such
 * cookie that is not Secure, has a Domain or a Path other than `/`, so a sibling subdomain
 * cannot plant one beside ours (RFC 6265bis §4.1.3.2). `next dev` over plain http keeps the
 * bare names: a `__Host-` cookie must be Secure. (Chromium does store Secure and `__Host-`
 * cookies on http://localhost and http://127.0.0.1, which the e2e `next start` run relies on.)
 */
function cookieName(base: string): string {
  return env().production ? `__Host-${base}` : base;
}

export const sessionCookieName = (): string => cookieName("gatehouse_session");
export const refreshCookieName = (): string => cookieName("gatehouse_refresh");

export interface CookieAttributes {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  maxAge: number;
}

/** HttpOnly, SameSite=Lax, Path=/ and no Domain always; Secure in production (plain http on localhost in dev). */
export function cookieAttributes(maxAge: number): CookieAttributes {
  return { httpOnly: true, sameSite: "lax", secure: env().production, path: "/", maxAge };
}

/**
 * What deletes a session cookie: the same attributes it was set with. A browser ignores a
 * `__Host-` Set-Cookie without Secure, so a bare `Max-Age=0` would leave the session in place.
 */
export function clearedCookie(name: string): CookieAttributes & { name: string; value: "" } {
  return { name, value: "", ...cookieAttributes(0) };
}
