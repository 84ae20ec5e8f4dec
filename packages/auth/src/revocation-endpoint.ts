/**
 * OAuth 2.0 token revocation (RFC 7009) as a Fetch handler, by the token's holder: presenting
 * a token revokes it (our clients are public, so possession is the proof). Same wire rules as
 * the token endpoint (./oauth-request).
 *
 * Which store a token belongs to is read from its format (`ghr_` refresh token, `gk_` API
 * key, anything else an access token); `token_type_hint` is only a hint (§2.1: the server
 * must search every type anyway), so it is accepted and not trusted. An unknown, malformed,
 * expired or already revoked token answers 200 like a revoked one (§2.2): the answer says
 * nothing about which tokens exist.
 */
import { isApiKeyFormat } from "./api-key";
import { errorResponse, OAuthError, parseForm, readForm, requireForm, unavailableResponse } from "./oauth-request";
import { isRefreshTokenFormat, type RefreshTokenService } from "./refresh-token";

export interface RevocationEndpointOptions {
  /** Revoking a refresh token revokes its whole family (every token of that sign-in). */
  refreshTokens: Pick<RefreshTokenService, "revoke">;
  /** Revokes the API key presented (and whatever the app cascades, e.g. keys it minted); unknown keys are ignored. */
  revokeApiKey(key: string): Promise<void>;
  /**
   * Revokes an access token (a JWT) presented, e.g. by adding it to a revoked set. Optional:
   * without it an access token is accepted and answered 200, and stays valid until `exp`.
   */
  revokeAccessToken?: (token: string) => Promise<void>;
  /** Largest accepted body. Default: 8192 bytes; larger → 413 `invalid_request`. */
  maxBodyBytes?: number;
  /** Called with every unexpected error (a port that threw) before the 503; may return a request id. */
  onError?: (error: unknown) => unknown;
}

const KNOWN_PARAMETERS = new Set(["token", "token_type_hint", "client_id"]);

export function createRevocationEndpoint(options: RevocationEndpointOptions): (request: Request) => Promise<Response> {
  const { refreshTokens, revokeApiKey, revokeAccessToken, onError } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 8192;
  if (!refreshTokens || typeof refreshTokens.revoke !== "function") {
    throw new TypeError("createRevocationEndpoint: refreshTokens is required");
  }
  if (typeof revokeApiKey !== "function") throw new TypeError("createRevocationEndpoint: revokeApiKey is required");
  if (revokeAccessToken !== undefined && typeof revokeAccessToken !== "function") {
    throw new TypeError("createRevocationEndpoint: revokeAccessToken must be a function");
  }
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError("createRevocationEndpoint: maxBodyBytes must be a positive integer");
  }

  return async function revocationEndpoint(request) {
    try {
      requireForm(request, "revocation");
      const params = parseForm(await readForm(request, maxBodyBytes), KNOWN_PARAMETERS);
      const token = params.get("token");
      if (token === undefined) throw new OAuthError(400, "invalid_request", "Missing parameter: token");
      if (isRefreshTokenFormat(token)) await refreshTokens.revoke(token);
      else if (isApiKeyFormat(token)) await revokeApiKey(token);
      else await revokeAccessToken?.(token);
      // §2.2: 200 with an empty body, whether or not there was anything to revoke.
      return new Response(null, { status: 200, headers: { "cache-control": "no-store", pragma: "no-cache" } });
    } catch (error) {
      if (error instanceof OAuthError) return errorResponse(error);
      return unavailableResponse(error, onError);
    }
  };
}
