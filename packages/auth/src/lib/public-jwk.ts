import type { JWK } from "jose";

// An allow-list, not a deny-list: a member we do not know is never published.
const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use"] as const;

/** The public members of an asymmetric JWK (drops `d`, `p`, `q`, `dp`, `dq`, `qi`, `k`, `oth`…). */
export function toPublicJwk(jwk: JWK): JWK {
  const out: JWK = {};
  for (const member of PUBLIC_MEMBERS) if (typeof jwk[member] === "string") out[member] = jwk[member] as string;
  return out;
}
