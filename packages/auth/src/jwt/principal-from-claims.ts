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
  // Many tokens carry the same scope string: remember its parse (successes only, small, emptied when full).
  const parsed = new Map<string, readonly Scope[]>();
  const parse = (value: unknown) => parseScopeList(ignore.size > 0 ? withoutIgnored(value, ignore) : value);
  const scopesOf = (value: unknown): readonly Scope[] => {
    if (typeof value !== "string") return parse(value);
    let scopes = parsed.get(value);
    if (scopes === undefined) {
      scopes = parse(value);
      if (parsed.size >= 256) parsed.clear();
      parsed.set(value, scopes);
    }
    return scopes;
  };
  return (claims) => {
    if (typeof claims.sub !== "string" || claims.sub === "") throw new Unauthorized("Token subject is missing");
    let scopes: Scope[] | undefined;
    for (const name of scopeClaims) {
      const value = claims[name];
      if (value === undefined) continue;
      const found = scopesOf(value);
      scopes = scopes === undefined ? [...found] : [...new Set([...scopes, ...found])];
    }
    return { subject: claims.sub, kind: kindOf(claims), scopes: scopes ?? [], claims };
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

/**
 * The default for another issuer's tokens: OIDC's own scopes (`openid profile email …`, which
 * every provider adds) dropped rather than refused, and `kind` always `user` — a foreign `kind`
 * claim (`api_key`, `service`) means nothing here and must not change what the caller may do.
 */
export const foreignPrincipal: (claims: JWTPayload) => Principal = createPrincipalMapper({
  ignoreScopes: OIDC_STANDARD_SCOPES,
  kind: () => "user",
});
