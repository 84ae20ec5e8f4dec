/** Names and attributes of the browser session cookies, in one place. */
import { env } from "~/env";

export const SESSION_COOKIE = "gatehouse_session";
export const REFRESH_COOKIE = "gatehouse_refresh";

export interface CookieAttributes {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: string;
  maxAge: number;
}

/** HttpOnly and SameSite=Lax always; Secure in production (plain http on localhost in dev). */
export function cookieAttributes(maxAge: number, path = "/"): CookieAttributes {
  return { httpOnly: true, sameSite: "lax", secure: env().production, path, maxAge };
}
