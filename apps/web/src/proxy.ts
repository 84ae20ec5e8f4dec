/**
 * Runs before every page and API answer. It sets the security headers (a per-request CSP
 * nonce on pages, which Next.js reads from the forwarded request's CSP header and puts on its
 * own scripts) and renews the browser session: when the access-token cookie is missing or
 * about to expire and a refresh cookie is present, rotate the refresh token and set both
 * cookies — on the response, and on the request the page sees. Renewal is only a
 * convenience; every procedure still verifies the access token itself.
 *
 * It also picks the request id (an incoming safe `X-Request-Id`, else a new UUID): forwarded to
 * the route or page in `X-Request-Id`, returned in the answer's `X-Request-Id`, and on every
 * log line written here. And a full page load while the database is down gets a 503 page
 * (server/http/database-down-page.ts), not a framework error.
 */

import { isRefreshTokenError } from "@gatehouse/auth/refresh-token";
import { cookie } from "@gatehouse/auth/scheme";
import { type NextRequest, NextResponse } from "next/server";
import { env } from "~/env";
import { databaseAnswers, databaseDownPage, isDocumentRequest } from "~/server/http/database-down-page";
import { problemResponse } from "~/server/http/problem-response";
import { newNonce, securityHeaders } from "~/server/http/security-headers";
import { logInternalError } from "~/server/internal-error";
import { REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "~/server/log/request-context";
import { withRequestHeaders } from "~/server/request-headers";
import { isOwnOrigin } from "~/server/same-origin";
import { clearedCookie, refreshCookieName, sessionCookieName } from "~/server/session-cookies";
import { needsRenewal, rotatedSessionCookies } from "~/server/session-tokens";

/** Renew this long before expiry, so a token does not lapse between proxy and procedure. */
const RENEW_MARGIN_SECONDS = 2;

/** Answers the proxy only dresses in headers: the token endpoint, discovery, health checks. */
const NO_RENEWAL = /^\/(?:api\/token|api\/health|\.well-known\/)/;

export async function proxy(request: NextRequest): Promise<Response> {
  const requestId = requestIdFrom(request.headers);
  return withRequestId(requestId, async () => {
    const { pathname } = request.nextUrl;
    const page = !pathname.startsWith("/api/") && !pathname.startsWith("/.well-known/");
    const nonce = page ? newNonce() : undefined;
    const headers = securityHeaders({
      nonce,
      development: process.env.NODE_ENV === "development",
      production: env().production,
    });
    const response =
      isDocumentRequest(request, pathname) && !(await databaseAnswers(env().requestTimeoutMs))
        ? databaseDownPage({ nonce, requestId })
        : await answer(request, pathname, requestId, page ? headers["content-security-policy"] : undefined);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  });
}

async function answer(
  request: NextRequest,
  pathname: string,
  requestId: string,
  pagePolicy: string | undefined,
): Promise<Response> {
  if (isCrossSitePagePost(request, pathname)) {
    // Next.js refuses a foreign server-action post with a 500; it is the client's doing: 403.
    return problemResponse(403, "Forbidden", "Cross-site form post refused (CSRF protection)");
  }
  if (await isMalformedFormPost(request, pathname)) {
    // Next.js answers a form post it cannot parse with a 500; a client's bad input is a 400.
    return problemResponse(400, "Bad Request", "The form body could not be read");
  }
  const forward = () => {
    const headers = new Headers(request.headers);
    // The route or page sees this id, not whatever the client sent.
    headers.set(REQUEST_ID_HEADER, requestId);
    if (pagePolicy) headers.set("content-security-policy", pagePolicy);
    return NextResponse.next({ request: { headers } });
  };
  const session = NO_RENEWAL.test(pathname) ? undefined : await sessionCookies(request);
  if (!session?.refreshToken || !(await needsRenewal(session.accessToken, RENEW_MARGIN_SECONDS))) return forward();

  let cookies: Awaited<ReturnType<typeof rotatedSessionCookies>>;
  try {
    // A replayed refresh token found here is a security-log event: say where it came from.
    const { refreshToken } = session;
    cookies = await withRequestHeaders(request.headers, () => rotatedSessionCookies(refreshToken));
  } catch (error) {
    if (!isRefreshTokenError(error)) {
      // Database down: leave the cookies alone; this request is simply unauthenticated.
      logInternalError("session renewal", error);
      return forward();
    }
    // Spent, revoked or expired: the session is over; drop both cookies.
    request.cookies.delete(sessionCookieName());
    request.cookies.delete(refreshCookieName());
    const response = forward();
    response.cookies.delete(clearedCookie(sessionCookieName()));
    response.cookies.delete(clearedCookie(refreshCookieName()));
    return response;
  }
  for (const { name, value } of cookies) request.cookies.set(name, value);
  const response = forward();
  for (const { name, value, attributes } of cookies) response.cookies.set(name, value, attributes);
  return response;
}

/**
 * Both session cookies, read the way the authenticator reads them; `undefined` when one is
 * there twice (a cookie tossed in from a sibling subdomain): that browser counts as signed
 * out, and renewing would sign it into whichever session the attacker planted.
 */
async function sessionCookies(
  request: NextRequest,
): Promise<{ accessToken?: string; refreshToken?: string } | undefined> {
  try {
    return {
      accessToken: (await cookie(sessionCookieName()).extract(request.headers)) ?? undefined,
      refreshToken: (await cookie(refreshCookieName()).extract(request.headers)) ?? undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * A page (server action) POST whose `Origin` is another site's, or `null`. A missing Origin is
 * left to Next.js (browsers send one on every POST; a script without one is not a CSRF).
 */
function isCrossSitePagePost(request: NextRequest, pathname: string): boolean {
  if (request.method !== "POST" || pathname.startsWith("/api/") || !request.headers.has("origin")) return false;
  return !isOwnOrigin(request.headers, new URL(env().issuer).origin);
}

/** A page (server action) POST whose form body does not parse. */
async function isMalformedFormPost(request: NextRequest, pathname: string): Promise<boolean> {
  if (request.method !== "POST" || pathname.startsWith("/api/")) return false;
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
  // Every page and API answer; not static files (/_next/, the icons).
  matcher: ["/((?!_next/|favicon|icon).*)"],
};
