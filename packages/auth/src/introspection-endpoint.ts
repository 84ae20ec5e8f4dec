/**
 * OAuth 2.0 token introspection (RFC 7662) as a Fetch handler, for resource servers. The
 * caller authenticates as a client (HTTP Basic or the form, as at the token endpoint) whose
 * credential holds `requiredScope`: introspection tells who a token belongs to, so an
 * anonymous caller (401 `invalid_client`, §2.3) or a client without the scope (403
 * `insufficient_scope`) learns nothing, not even whether the token is active.
 *
 * The token's type is read from its format, as at the revocation endpoint. Each port answers
 * from the credential's own verifier, so whatever that refuses (expired, tampered, another
 * issuer, revoked, owner disabled) is `{ "active": false }` and nothing else (§2.2).
 */
import { isApiKeyFormat } from "./api-key";
import {
  clientCredentials,
  errorResponse,
  json,
  OAuthError,
  parseForm,
  readForm,
  requireForm,
  unavailableResponse,
} from "./oauth-request";
import type { Principal } from "./principal";
import { isRefreshTokenFormat, type RefreshTokenService } from "./refresh-token";
import { challenge } from "./scheme";
import { isScope, type ScopeValidator } from "./scopes";

/** §2.2 for an active token; `token_type` is `Bearer` for an access token (RFC 6749 §7.1), else the hint name. */
export interface IntrospectionResponseBody {
  active: true;
  token_type: "Bearer" | "refresh_token" | "api_key";
  scope: string;
  sub: string;
  client_id?: string;
  exp?: number;
  iat?: number;
}

export interface IntrospectionEndpointOptions {
  /** The caller's scopes for a client id and secret, or `null` (unknown, wrong, revoked, expired). */
  authenticateClient(clientId: string, clientSecret: string): Promise<{ scopes: readonly string[] } | null>;
  /** The scope a caller must hold, e.g. `tokens:introspect`. */
  requiredScope: string;
  scopeValidator: ScopeValidator;
  /** Our access tokens' verifier: the principal, or `null` for any token it refuses. */
  verifyAccessToken(token: string): Promise<Principal | null>;
  /** An API key's principal (its `key_id` claim is the `client_id`), or `null` for any key it refuses. */
  verifyApiKey(key: string): Promise<Principal | null>;
  refreshTokens: Pick<RefreshTokenService, "inspect">;
  /** Largest accepted body. Default: 8192 bytes; larger → 413 `invalid_request`. */
  maxBodyBytes?: number;
  /** Realm of the `WWW-Authenticate: Basic` challenge. Default: `"gatehouse"`. */
  realm?: string;
  /** Called with every unexpected error (a port that threw) before the 503; may return a request id. */
  onError?: (error: unknown) => unknown;
}

const KNOWN_PARAMETERS = new Set(["token", "token_type_hint", "client_id", "client_secret"]);
const INACTIVE = { active: false } as const;

export function createIntrospectionEndpoint(
  options: IntrospectionEndpointOptions,
): (request: Request) => Promise<Response> {
  const { authenticateClient, requiredScope, scopeValidator, verifyAccessToken, verifyApiKey, refreshTokens } = options;
  const { onError } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 8192;
  const basicChallenge = challenge("Basic", { realm: options.realm ?? "gatehouse" });
  for (const [name, value] of Object.entries({ authenticateClient, verifyAccessToken, verifyApiKey })) {
    if (typeof value !== "function") throw new TypeError(`createIntrospectionEndpoint: ${name} is required`);
  }
  if (!refreshTokens || typeof refreshTokens.inspect !== "function") {
    throw new TypeError("createIntrospectionEndpoint: refreshTokens is required");
  }
  if (!scopeValidator) throw new TypeError("createIntrospectionEndpoint: scopeValidator is required");
  if (typeof requiredScope !== "string" || !isScope(requiredScope)) {
    throw new TypeError("createIntrospectionEndpoint: requiredScope must be a valid scope");
  }
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError("createIntrospectionEndpoint: maxBodyBytes must be a positive integer");
  }

  // §2.3: a caller that failed to authenticate gets 401 with a challenge, however it sent its credentials.
  const invalidClient = (_viaBasic: boolean, description = "Client authentication failed") =>
    new OAuthError(401, "invalid_client", description, { "www-authenticate": basicChallenge });

  const fromPrincipal = (type: "Bearer" | "api_key", principal: Principal): IntrospectionResponseBody => {
    const { exp, iat } = principal.claims;
    const clientId = type === "api_key" ? principal.claims.key_id : principal.claims.client_id;
    return {
      active: true,
      token_type: type,
      scope: principal.scopes.join(" "),
      sub: principal.subject,
      ...(typeof clientId === "string" ? { client_id: clientId } : {}),
      ...(typeof exp === "number" ? { exp } : {}),
      ...(typeof iat === "number" ? { iat } : {}),
    };
  };

  const introspect = async (token: string): Promise<IntrospectionResponseBody | typeof INACTIVE> => {
    if (isRefreshTokenFormat(token)) {
      const live = await refreshTokens.inspect(token);
      if (!live) return INACTIVE;
      return {
        active: true,
        token_type: "refresh_token",
        scope: live.scopes.join(" "),
        sub: live.userId,
        exp: Math.floor(live.expiresAt.getTime() / 1000),
        iat: Math.floor(live.issuedAt.getTime() / 1000),
      };
    }
    if (isApiKeyFormat(token)) {
      const principal = await verifyApiKey(token);
      return principal ? fromPrincipal("api_key", principal) : INACTIVE;
    }
    const principal = await verifyAccessToken(token);
    return principal ? fromPrincipal("Bearer", principal) : INACTIVE;
  };

  return async function introspectionEndpoint(request) {
    try {
      requireForm(request, "introspection");
      const params = parseForm(await readForm(request, maxBodyBytes), KNOWN_PARAMETERS);
      const credentials = clientCredentials(request, params, invalidClient);
      if (!credentials) throw invalidClient(true, "Client authentication required");
      const client = await authenticateClient(credentials.id, credentials.secret);
      if (!client) throw invalidClient(true);
      if (!scopeValidator.satisfies(client.scopes, requiredScope)) {
        throw new OAuthError(403, "insufficient_scope", "The client may not introspect tokens");
      }
      const token = params.get("token");
      if (token === undefined) throw new OAuthError(400, "invalid_request", "Missing parameter: token");
      return json(200, await introspect(token));
    } catch (error) {
      if (error instanceof OAuthError) return errorResponse(error);
      return unavailableResponse(error, onError);
    }
  };
}
