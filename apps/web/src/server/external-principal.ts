/**
 * Who a token from the external OIDC issuer (OIDC_ISSUER) is here. Always kind `service`,
 * decided by us: its `kind` claim (`api_key`, `user`) is never read, and nothing links its
 * `sub` to a local account, so it may call scoped procedures but never one that acts for a
 * user of ours (`ctx.user()` refuses a service: a foreign `sub` is never looked up in our
 * users table). OIDC's own scopes (`openid profile email offline_access` …) are dropped, not a 401.
 */
import { createPrincipalMapper, OIDC_STANDARD_SCOPES } from "@gatehouse/auth/jwt";

export const externalPrincipal = createPrincipalMapper({ ignoreScopes: OIDC_STANDARD_SCOPES, kind: () => "service" });
