/**
 * Who a token from the external OIDC issuer (OIDC_ISSUER) is here. Always kind `service`,
 * decided by us: its `kind` claim (`api_key`, `user`) is never read. Its `subject` is the
 * token's `sub`, which is not one of our user ids: when a procedure needs the account behind
 * it, `ctx.user()` goes through the (issuer, sub) link table (./external-identity.ts), never a
 * lookup of the foreign `sub` in our users table. OIDC's own scopes (`openid profile email
 * offline_access` …) are dropped, not a 401.
 */
import { createPrincipalMapper, OIDC_STANDARD_SCOPES } from "@gatehouse/auth/jwt";

export const externalPrincipal = createPrincipalMapper({ ignoreScopes: OIDC_STANDARD_SCOPES, kind: () => "service" });
