/**
 * What the browser specs need to check a session from the server's side: the session
 * cookies, the token endpoint's verdict on a refresh token, the raw Set-Cookie attributes,
 * and an access token re-signed with the server's key (to drive expiry without waiting).
 */
import { createPrivateKey, type JsonWebKey, sign } from "node:crypto";
import type { APIRequestContext, APIResponse, BrowserContext, Cookie } from "@playwright/test";

// `__Host-` names: the e2e server runs NODE_ENV=production (src/server/session-cookies.ts).
export const SESSION_COOKIE = "__Host-gatehouse_session";
export const REFRESH_COOKIE = "__Host-gatehouse_refresh";
/** The documented default of REFRESH_TOKEN_TTL_SECONDS, which the e2e server leaves unset. */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Both session cookies as the browser stores them (`undefined` when absent). */
export async function sessionCookies(context: BrowserContext): Promise<{ access?: Cookie; refresh?: Cookie }> {
  const cookies = await context.cookies();
  return {
    access: cookies.find((cookie) => cookie.name === SESSION_COOKIE),
    refresh: cookies.find((cookie) => cookie.name === REFRESH_COOKIE),
  };
}

/** `POST /api/token` with grant_type=refresh_token, as a script holding a copied cookie would. */
export function refreshGrant(request: APIRequestContext, refreshToken: string): Promise<APIResponse> {
  return request.post("/api/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
}

/** One `Set-Cookie` header: name, value and its attributes (names lower-cased; flags map to `true`). */
export function parseSetCookie(header: string): {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
} {
  const [pair = "", ...parts] = header.split(";");
  const separator = pair.indexOf("=");
  const attributes = new Map<string, string | true>();
  for (const part of parts) {
    const [key = "", ...rest] = part.split("=");
    attributes.set(key.trim().toLowerCase(), rest.length > 0 ? rest.join("=").trim() : true);
  }
  return { name: pair.slice(0, separator).trim(), value: pair.slice(separator + 1).trim(), attributes };
}

export function jwtClaims(token: string): Record<string, unknown> & { iat: number; exp: number } {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

/**
 * The same access token (same header, same claims) with `changes` applied, signed with the
 * e2e server's own ES256 key (`E2E_AUTH_JWKS`, set by playwright.config.ts): the server
 * cannot tell it from one it issued, so only the changed claims decide its fate.
 */
export function resignedAccessToken(token: string, changes: Record<string, unknown>): string {
  const [header = ""] = token.split(".");
  const jwks = JSON.parse(process.env.E2E_AUTH_JWKS ?? "null") as { keys: (JsonWebKey & { kid: string })[] } | null;
  const jwk = jwks?.keys[0];
  if (!jwk) throw new Error("E2E_AUTH_JWKS is not set: run the specs through playwright.config.ts");
  const { kty, crv, x, y, d } = jwk;
  const payload = Buffer.from(JSON.stringify({ ...jwtClaims(token), ...changes })).toString("base64url");
  const signingInput = `${header}.${payload}`;
  const key = createPrivateKey({ key: { kty, crv, x, y, d }, format: "jwk" });
  const signature = sign("sha256", Buffer.from(signingInput), { key, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${signature.toString("base64url")}`;
}
