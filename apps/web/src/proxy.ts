/**
 * Renews the browser session before pages and API calls run: when the access-token cookie
 * is missing or about to expire and a refresh cookie is present, rotate the refresh token
 * and set both cookies — on the response, and on the request the page sees. This is only
 * a convenience; every procedure still verifies the access token itself.
 */

import { isRefreshTokenError } from "@gatehouse/auth/refresh-token";
import { type NextRequest, NextResponse } from "next/server";
import { problemResponse } from "~/server/http/problem-response";
import { logInternalError } from "~/server/internal-error";
import { REFRESH_COOKIE, SESSION_COOKIE } from "~/server/session-cookies";
import { rotatedSessionCookies, secondsLeft } from "~/server/session-tokens";

/** Renew this long before expiry, so a token does not lapse between proxy and procedure. */
const RENEW_MARGIN_SECONDS = 2;

export async function proxy(request: NextRequest): Promise<Response> {
  if (await isMalformedFormPost(request)) {
    // Next.js answers a form post it cannot parse with a 500; a client's bad input is a 400.
    return problemResponse(400, "Bad Request", "The form body could not be read");
  }
  const refreshToken = request.cookies.get(REFRESH_COOKIE)?.value;
  if (!refreshToken || secondsLeft(request.cookies.get(SESSION_COOKIE)?.value) > RENEW_MARGIN_SECONDS) {
    return NextResponse.next();
  }
  let cookies: Awaited<ReturnType<typeof rotatedSessionCookies>>;
  try {
    cookies = await rotatedSessionCookies(refreshToken);
  } catch (error) {
    if (!isRefreshTokenError(error)) {
      // Database down: leave the cookies alone; this request is simply unauthenticated.
      logInternalError("session renewal", error);
      return NextResponse.next();
    }
    // Spent, revoked or expired: the session is over; drop both cookies.
    request.cookies.delete(SESSION_COOKIE);
    request.cookies.delete(REFRESH_COOKIE);
    const response = NextResponse.next({ request: { headers: request.headers } });
    response.cookies.delete(SESSION_COOKIE);
    response.cookies.delete(REFRESH_COOKIE);
    return response;
  }
  for (const { name, value } of cookies) request.cookies.set(name, value);
  const response = NextResponse.next({ request: { headers: request.headers } });
  for (const { name, value, attributes } of cookies) response.cookies.set(name, value, attributes);
  return response;
}

/** A page (server action) POST whose form body does not parse. */
async function isMalformedFormPost(request: NextRequest): Promise<boolean> {
  if (request.method !== "POST" || request.nextUrl.pathname.startsWith("/api/")) return false;
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data") && !type.startsWith("application/x-www-form-urlencoded")) return false;
  try {
    await request.clone().formData();
    return false;
  } catch {
    return true;
  }
}

export const config = {
  // Pages and tRPC; not static files, the token endpoint, discovery or health checks.
  matcher: ["/((?!_next/|api/token|api/health|\\.well-known/|favicon|icon).*)"],
};
