import { env } from "~/env";
import { withErrorBoundary } from "~/server/http/with-error-boundary";

export const dynamic = "force-dynamic";

/**
 * OIDC discovery (RFC 8414 metadata), so other services verify our tokens with any OIDC
 * library. It names only what this server does: no authorization endpoint, so no
 * `response_types` beyond none, and no ID tokens, so no ID-token algorithms.
 */
export const GET = withErrorBoundary("discovery route", async (): Promise<Response> => {
  const { issuer } = env();
  const base = issuer.replace(/\/$/, "");
  return Response.json(
    {
      issuer,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint: `${base}/api/token`,
      revocation_endpoint: `${base}/api/revoke`,
      // RFC 7009: the holder presents the token; no client authentication.
      revocation_endpoint_auth_methods_supported: ["none"],
      introspection_endpoint: `${base}/api/introspect`,
      introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      grant_types_supported: ["password", "refresh_token", "client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      // RFC 8414 §2: REQUIRED; we have no authorization endpoint, so no response type is served.
      response_types_supported: [],
      subject_types_supported: ["public"],
      scopes_supported: (await import("~/server/scopes")).scopes.all,
    },
    { headers: { "cache-control": "public, max-age=300" } },
  );
});
