/**
 * How a procedure's `meta.auth` (the object the middleware enforces, see ../trpc.ts) reads in
 * OpenAPI: the security schemes a caller can use and, per operation, which of them with which
 * scopes. One function per direction, no second source of truth.
 */
import type { AuthRequirement } from "../trpc";
import type { SecurityRequirement } from "./openapi-types";

/** The names under `components.securitySchemes`. */
export const SCHEMES = {
  bearer: "bearerJwt",
  apiKey: "apiKey",
  oauth2: "oauth2",
  session: "sessionCookie",
  client: "clientBasic",
} as const;

/** Every credential that can carry scopes into a procedure; any one of them will do. */
const SCOPED_SCHEMES = [SCHEMES.bearer, SCHEMES.apiKey, SCHEMES.oauth2, SCHEMES.session] as const;

export interface SecuritySchemeOptions {
  /** The app's issuer (origin); `tokenUrl` is `${issuer}/api/token`. */
  issuer: string;
  /** The browser session cookie's name. */
  sessionCookieName: string;
  /** Every registry scope with its description: the OAuth flows' `scopes`. */
  scopes: Readonly<Record<string, string>>;
}

export function securitySchemes({ issuer, sessionCookieName, scopes }: SecuritySchemeOptions) {
  const tokenUrl = new URL("/api/token", issuer).href;
  return {
    [SCHEMES.bearer]: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description:
        "An access token from POST /api/token (RFC 9068, ES256). An API key is accepted here too, as `Authorization: Bearer gk_…`.",
    },
    [SCHEMES.apiKey]: {
      type: "apiKey",
      in: "header",
      name: "X-API-Key",
      description: "An API key (`gk_live_…` / `gk_test_…`) from the API keys page or `pnpm gatehouse keys create`.",
    },
    [SCHEMES.oauth2]: {
      type: "oauth2",
      description:
        "OAuth 2.0 at /api/token. Password: your email and password. Client credentials: an API key's id as `client_id`, the key as `client_secret`. Granted scopes are never more than requested and held.",
      flows: {
        password: { tokenUrl, refreshUrl: tokenUrl, scopes: { ...scopes } },
        clientCredentials: { tokenUrl, scopes: { ...scopes } },
      },
    },
    [SCHEMES.session]: {
      type: "apiKey",
      in: "cookie",
      name: sessionCookieName,
      description:
        "The first-party browser session, set by signing in on /login (HttpOnly: a browser sends it by itself; scripts use a header credential).",
    },
    [SCHEMES.client]: {
      type: "http",
      scheme: "basic",
      description: "Client authentication: an API key's id as user name, the key as password.",
    },
  };
}

/** `meta.auth` as an operation's `security`: the alternatives, each with the exact required scopes. */
export function securityFor(requirement: AuthRequirement): SecurityRequirement[] {
  if ("public" in requirement) return [];
  if ("session" in requirement) return [{ [SCHEMES.session]: [] }];
  return SCOPED_SCHEMES.map((scheme) => ({ [scheme]: [...requirement.scopes] }));
}

/** `meta.auth` in words, for the operation's description and the scopes page. */
export function describeRequirement(requirement: AuthRequirement): string {
  if ("public" in requirement) {
    return "Public: no credential needed. A credential that is sent is still checked (a bad one is a 401).";
  }
  if ("session" in requirement) {
    return "Browser session only: signed in on /login. An API key or bearer token is refused (403), whatever its scopes.";
  }
  const scopes = requirement.scopes.map((scope) => `\`${scope}\``).join(", ");
  const who = scopes ? `Any credential holding ${scopes}` : "Any authenticated caller";
  const minting =
    requirement.clientCredentials === false
      ? " Never a client-credentials token (403): it may not mint credentials."
      : "";
  return `${who} (bearer token, API key or browser session).${minting} Missing credential: 401; missing scope: 403.`;
}
