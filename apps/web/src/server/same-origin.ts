/**
 * The CSRF rule for mutations authenticated by the ambient session cookie (trpc.ts applies it).
 * A cross-site page can make the browser POST to us with the cookie attached, but it cannot
 * choose `Origin` or `Host` or (without a CORS preflight, which we never grant)
 * a JSON content type. So a mutation is ours only when all of these hold:
 *
 * - `Content-Type` is `application/json`. A form can send `text/plain`, urlencoded or
 *   `multipart/form-data`; tRPC itself refuses the first two (415) but accepts multipart.
 * - `Origin` is present and is either the configured public origin (`AUTH_ISSUER`: behind a
 *   proxy that rewrites `Host`, that is the name browsers use) or `http(s)://` + this request's
 *   own `Host` (so `localhost:3000` and `127.0.0.1:3000` both work in development). `Origin:
 *   null` (sandboxed frames, some redirects) and another port on the same host are refused;
 *   so is a missing Origin (browsers send one on every POST), whatever else the request says.
 *
 * `X-Forwarded-Host` is never consulted: Next passes a client's own value through, and only a
 * configured trusted proxy could vouch for it. The public origin already covers the proxy case.
 */

/** `true` when a cookie-authenticated mutation with these headers came from our own pages. */
export function isSameOriginRequest(headers: Headers, publicOrigin: string): boolean {
  return mediaType(headers.get("content-type")) === "application/json" && isOwnOrigin(headers, publicOrigin);
}

/** `true` when `Origin` names the public origin or this request's own host (the rule above, without the JSON part). */
export function isOwnOrigin(headers: Headers, publicOrigin: string): boolean {
  const origin = parseOrigin(headers.get("origin"));
  if (origin === null) return false;
  if (origin.origin === publicOrigin) return true;
  const host = headers.get("host");
  return host !== null && origin.host === host.toLowerCase();
}

/** The media type of a `Content-Type` (RFC 9110 §8.3.1: case-insensitive, parameters dropped). */
function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
}

/** An http(s) Origin header as a URL; `null` when absent, `null`, or anything else. */
function parseOrigin(value: string | null): URL | null {
  if (value === null) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}
