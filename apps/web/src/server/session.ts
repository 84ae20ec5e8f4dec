/**
 * Browser sessions: the access token lives in an HttpOnly cookie, so page code never
 * touches it. Used by server actions (sign-in, sign-out).
 */
import "server-only";
import type { User } from "@gatehouse/db/users";
import { cookies } from "next/headers";
import { env } from "~/env";
import { getAuth } from "./auth";
import { cookieAttributes, REFRESH_COOKIE, SESSION_COOKIE } from "./session-cookies";

export async function startSession(user: User): Promise<void> {
  const { issuer } = await getAuth();
  const token = await issuer.createAccessToken({ sub: user.id, kind: "user", scope: user.scopes.join(" ") });
  const jar = await cookies();
  jar.set(SESSION_COOKIE, token.access_token, cookieAttributes(env().accessTokenTtl));
}

export async function endSession(): Promise<void> {
  const jar = await cookies();
  jar.delete({ name: SESSION_COOKIE, path: "/" });
  jar.delete({ name: REFRESH_COOKIE, path: "/" });
}
