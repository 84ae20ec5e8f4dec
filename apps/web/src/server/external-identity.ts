/**
 * Which external identity a principal is, if any: a token of the external OIDC issuer
 * (OIDC_ISSUER), named by its `iss` and `sub` together. `ctx.user()` maps it to a local user
 * through `external_identities` (@gatehouse/db/external-identities), creating that user on
 * first use: no email, no password (it cannot sign in to the browser pages), no scopes of its
 * own (what the token may do is still its scopes). A foreign `sub` alone never names an account.
 */
import type { Principal } from "@gatehouse/auth/principal";
import type { ExternalIdentity } from "@gatehouse/db/external-identities";
import { env } from "~/env";

export function externalIdentityOf(principal: Principal): ExternalIdentity | null {
  const issuer = env().oidc?.issuer;
  // The verifier routed this token by `iss` and checked it exactly: only the configured issuer's tokens qualify.
  if (principal.kind !== "service" || issuer === undefined || principal.claims.iss !== issuer) return null;
  if (typeof principal.subject !== "string" || principal.subject === "") return null;
  return { issuer, subject: principal.subject };
}
