import { env } from "~/env";
import { getAuth } from "~/server/auth";
import { withErrorBoundary } from "~/server/http/with-error-boundary";

export const dynamic = "force-dynamic";

/** OIDC discovery, so other services verify our tokens with any OIDC library. */
export const GET = withErrorBoundary("discovery route", async (): Promise<Response> => {
  const { issuer } = env();
  const { keySet } = await getAuth();
  const base = issuer.replace(/\/$/, "");
  return Response.json(
    {
      issuer,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint: `${base}/api/token`,
      grant_types_supported: ["password", "refresh_token", "client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      response_types_supported: ["token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: [keySet.current.alg],
      token_endpoint_auth_signing_alg_values_supported: [keySet.current.alg],
      scopes_supported: (await import("~/server/scopes")).scopes.all,
    },
    { headers: { "cache-control": "public, max-age=300" } },
  );
});
