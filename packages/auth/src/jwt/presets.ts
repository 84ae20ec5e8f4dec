/** Ready-made remote verifiers for common issuers. Each is `createRemoteJwksVerifier` with the issuer's conventions. */
import type { JWTPayload } from "jose";
import { createPrincipalMapper, OIDC_STANDARD_SCOPES } from "./principal-from-claims";
import { createRemoteJwksVerifier, type RemoteJwksVerifier, type RemoteJwksVerifierOptions } from "./remote-jwks";

type PresetOptions = Omit<RemoteJwksVerifierOptions, "issuer" | "jwksUri" | "algorithms" | "audience">;

export interface Auth0Options extends PresetOptions {
  /** Tenant domain, e.g. `acme.eu.auth0.com` or a custom domain; no scheme, no path. */
  domain: string;
  /** The API identifier the tokens are for (`aud`). */
  audience: string | readonly string[];
}

/**
 * Auth0 access tokens: issuer `https://{domain}/`, RS256, JWKS at
 * `https://{domain}/.well-known/jwks.json`. Scopes are `scope` plus RBAC `permissions`
 * (OIDC scopes such as `openid` dropped); `gty: "client-credentials"` tokens are services.
 */
export function auth0(options: Auth0Options): RemoteJwksVerifier {
  const { domain, audience, ...rest } = options;
  if (!/^[A-Za-z0-9.-]+(?::\d+)?$/.test(domain ?? ""))
    throw new TypeError("auth0: domain must be a host name, like acme.auth0.com");
  return createRemoteJwksVerifier({
    toPrincipal: createPrincipalMapper({
      scopeClaims: ["scope", "permissions"],
      ignoreScopes: OIDC_STANDARD_SCOPES,
      kind: (claims: JWTPayload) => (claims.gty === "client-credentials" ? "service" : "user"),
    }),
    ...rest,
    issuer: `https://${domain}/`,
    jwksUri: `https://${domain}/.well-known/jwks.json`,
    algorithms: ["RS256"],
    audience,
  });
}

export interface KeycloakOptions extends PresetOptions {
  /** Base URL of the Keycloak server, e.g. `https://sso.example.com`. */
  url: string;
  realm: string;
  /** Expected `aud` (Keycloak puts client ids there through audience mappers); `null` to skip. */
  audience: string | readonly string[] | null;
}

/** Keycloak realm tokens: issuer `{url}/realms/{realm}`, keys through discovery, RS256; OIDC scopes dropped. */
export function keycloak(options: KeycloakOptions): RemoteJwksVerifier {
  const { url, realm, audience, ...rest } = options;
  if (!realm || /[/?#]/.test(realm)) throw new TypeError("keycloak: realm must be a realm name");
  return createRemoteJwksVerifier({
    toPrincipal: createPrincipalMapper({ ignoreScopes: OIDC_STANDARD_SCOPES }),
    ...rest,
    issuer: `${url.replace(/\/$/, "")}/realms/${encodeURIComponent(realm)}`,
    algorithms: ["RS256"],
    audience,
  });
}
