/**
 * Browser sessions from server actions: sign-in sets the cookies, sign-out revokes the
 * refresh-token family and clears them. Page code never sees a token.
 */
import "server-only";
import type { User } from "@gatehouse/db/users";
import { cookies, headers } from "next/headers";
import { getAuth } from "./auth";
import { logInternalError } from "./internal-error";
import { REFRESH_COOKIE, SESSION_COOKIE } from "./session-cookies";
import { newSessionCookies } from "./session-tokens";

export async function startSession(user: User): Promise<void> {
  const userAgent = (await headers()).get("user-agent");
  const jar = await cookies();
  for (const { name, value, attributes } of await newSessionCookies(user, userAgent)) jar.set(name, value, attributes);
}

export async function endSession(): Promise<void> {
  const jar = await cookies();
  const refreshToken = jar.get(REFRESH_COOKIE)?.value;
  if (refreshToken) {
    const { refreshTokens } = await getAuth();
    // Revoke the whole family, so a copied refresh token dies with the sign-out. A database
    // outage must not keep the user signed in on this device: cookies are cleared regardless.
    await refreshTokens.revoke(refreshToken).catch((error: unknown) => logInternalError("sign-out revoke", error));
  }
  jar.delete({ name: SESSION_COOKIE, path: "/" });
  jar.delete({ name: REFRESH_COOKIE, path: "/" });
}
