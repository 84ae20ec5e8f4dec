/** How verified claims become a `Principal`: subject, kind, scopes. */
import type { JWTPayload } from "jose";
import { Unauthorized } from "../errors";
import type { Principal, PrincipalKind } from "../principal";
import { parseScopeList, type Scope } from "../scopes";

/** OpenID Connect's own scopes: not `resource:action`, and not permissions. */
export const OIDC_STANDARD_SCOPES: readonly string[] = [
  "openid",
  "profile",
  "email",
  "address",
  "phone",
  "offline_access",
];

export interface PrincipalMapping {
  /** Claims read for scopes, merged: a space-delimited string or an array. Default: `["scope", "scp"]`. */
  scopeClaims?: readonly string[];
  /** Scope values dropped before validation (e.g. `OIDC_STANDARD_SCOPES`). Default: none. */
  ignoreScopes?: readonly string[];
  /** The kind of caller. Default: the `kind` claim when it is `service` or `api_key`, else `user`. */
  kind?: (claims: JWTPayload) => PrincipalKind;
}

/**
 * Builds a claims → principal function. `sub` must be a non-empty string (else 401); a
 * malformed scope claim throws `InvalidScopeError`, which the verifier answers with a 401.
 */
export function createPrincipalMapper(mapping: PrincipalMapping = {}): (claims: JWTPayload) => Principal {
  const scopeClaims = [...(mapping.scopeClaims ?? ["scope", "scp"])];
  const ignore = new Set(mapping.ignoreScopes ?? []);
  const kindOf = mapping.kind ?? kindClaim;
  return (claims) => {
    if (typeof claims.sub !== "string" || claims.sub === "") throw new Unauthorized("Token subject is missing");
    const scopes = new Set<Scope>();
    for (const name of scopeClaims) {
      let value = claims[name];
      if (ignore.size > 0) value = withoutIgnored(value, ignore);
      for (const scope of parseScopeList(value)) scopes.add(scope);
    }
    return { subject: claims.sub, kind: kindOf(claims), scopes: [...scopes], claims };
  };
}

function kindClaim(claims: JWTPayload): PrincipalKind {
  return claims.kind === "service" || claims.kind === "api_key" ? claims.kind : "user";
}

function withoutIgnored(value: unknown, ignore: ReadonlySet<string>): unknown {
  if (typeof value === "string")
    return value
      .split(" ")
      .filter((scope) => !ignore.has(scope))
      .join(" ");
  if (Array.isArray(value)) return value.filter((scope) => !ignore.has(scope));
  return value;
}

/** `sub` as subject, `kind` from the `kind` claim (default `user`), scopes from `scope` and `scp`. */
export const defaultPrincipal: (claims: JWTPayload) => Principal = createPrincipalMapper();
