/**
 * The OAuth 2.0 token endpoint (RFC 6749 §3.2) as a Fetch handler: `(Request) => Response`,
 * mountable in a Next.js route handler, Hono, or a worker. Grants: `password`,
 * `refresh_token` (rotating, see ./refresh-token) and `client_credentials` (an API key's id
 * as `client_id`, the key as `client_secret`, in the form or HTTP Basic).
 *
 * Wire rules (DESIGN.md "Wire contract"): POST only; `application/x-www-form-urlencoded`
 * only (a JSON body is `invalid_request`, even with good credentials); a repeated
 * parameter is `invalid_request`; errors are `{ error, error_description }` (§5.2) and
 * never repeat a submitted value; every answer carries `Cache-Control: no-store`.
 *
 * Scope policy: a requested scope is granted iff the held scopes satisfy it (by the
 * validator); one that is not held refuses the whole request with `invalid_scope` rather
 * than silently issuing a token that lacks it. No `scope` → everything held. So the
 * granted scopes are always ⊆ requested ∩ held. A client's access token never outlives the
 * client's credential (`AuthenticatedClient.expiresAt` caps `exp`).
 */
import type { JwtIssuer } from "./jwt";
import {
  type ClientCredentials,
  clientCredentials,
  errorResponse,
  json,
  OAuthError,
  parseForm,
  readForm,
  requireForm,
  unavailableResponse,
} from "./oauth-request";
import { isRefreshTokenError, type RefreshTokenService } from "./refresh-token";
import { challenge } from "./scheme";
import { isScope, missingScope, parseScopeList, type ScopeValidator } from "./scopes";

/** What a password attempt's throttle is told: the username as sent, and the caller's address when known. */
export interface PasswordAttempt {
  username: string;
  /** From `clientAddress`; `null` when the app cannot know it (no trusted proxy). */
  address: string | null;
}

export type ThrottleDecision =
  | {
      allowed: true;
      /** Learns the outcome once the password was checked: e.g. refund the attempt on success. */
      settle?(outcome: "success" | "failure"): Promise<void>;
    }
  | { allowed: false /** Sent as `Retry-After`. */; retryAfterSeconds: number };

/**
 * Limits password guessing. `reserve` runs before the password is verified and must count
 * the attempt atomically with its check (parallel guesses must not all pass a check made
 * before any was counted); a refused attempt costs no hashing. Which budgets apply (per
 * account, per address…) and how the username is normalised is the throttle's business.
 * Wrong password and unknown user must be budgeted alike. A throttle that throws fails
 * closed (503).
 */
export interface PasswordThrottle {
  reserve(attempt: PasswordAttempt): Promise<ThrottleDecision>;
}

export interface AuthenticatedUser {
  userId: string;
  /** The user's current scopes; a token gets these or fewer. */
  scopes: readonly string[];
}

export interface AuthenticatedClient {
  /** The token's `sub`: for an API key, its owner. */
  subject: string;
  kind: "api_key" | "service";
  scopes: readonly string[];
  /** Extra claims for the access token; registered and Gatehouse claims cannot be overridden. */
  claims?: Readonly<Record<string, unknown>>;
  /** When the client's credential stops working (NumericDate, seconds): the access token's `exp` is capped to it. */
  expiresAt?: number;
}

export interface TokenEndpointOptions {
  issuer: JwtIssuer;
  refreshTokens: RefreshTokenService;
  /**
   * The user for these credentials, or `null` for a wrong password **and** for an unknown
   * user (the endpoint answers both identically; the port should also take the same time,
   * e.g. by verifying against a dummy hash). Disabled users → `null`.
   */
  authenticatePassword(username: string, password: string): Promise<AuthenticatedUser | null>;
  /** The client for an API key id and secret, or `null` (unknown id, wrong secret, revoked, expired). */
  authenticateClient(clientId: string, clientSecret: string): Promise<AuthenticatedClient | null>;
  scopeValidator: ScopeValidator;
  /** Password-grant throttle. Default: none (configure one in production). */
  throttle?: PasswordThrottle;
  /**
   * The caller's address for the throttle, e.g. from a trusted proxy's `X-Forwarded-For`, or
   * `null` when it cannot be known. Default: always `null`.
   */
  clientAddress?: (request: Request) => string | null;
  /** Access token lifetime. Default: the issuer's `defaultExpiresIn` (900 s). */
  accessTokenTtlSeconds?: number;
  /** Largest accepted body. Default: 8192 bytes; larger → 413 `invalid_request`. */
  maxBodyBytes?: number;
  /** Realm of the `WWW-Authenticate: Basic` challenge. Default: `"gatehouse"`. */
  realm?: string;
  /**
   * Called with every unexpected error (a port that threw) before the 503 goes out; for logs.
   * May return a reference for this occurrence (a request id string), sent as `request_id` in the
   * error body so a user can quote it; the body never carries the error itself.
   */
  onError?: (error: unknown) => unknown;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
  /**
   * Told how each password-grant attempt ended (a security log, say); never delays or
   * changes the answer, and an error it throws is ignored. `userId` only on success.
   */
  onPasswordAttempt?: (attempt: PasswordAttemptOutcome) => void;
}

/** What `onPasswordAttempt` hears: never the password. */
export interface PasswordAttemptOutcome {
  username: string;
  outcome: "succeeded" | "failed" | "throttled";
  userId: string | null;
  request: Request;
}

export interface TokenResponseBody {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

const KNOWN_PARAMETERS = new Set([
  "grant_type",
  "username",
  "password",
  "scope",
  "refresh_token",
  "client_id",
  "client_secret",
]);
// Registered JWT claims and ours: a port's custom claims cannot replace them.
const RESERVED_CLAIMS = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "scope",
  "scp",
  "kind",
  "client_id",
  "sid",
  "iat_ms",
]);

export function createTokenEndpoint(options: TokenEndpointOptions): (request: Request) => Promise<Response> {
  const { issuer, refreshTokens, scopeValidator, throttle, clientAddress, onError } = options;
  const tell = (attempt: PasswordAttemptOutcome) => {
    try {
      options.onPasswordAttempt?.(attempt);
    } catch {
      // A log that fails must not change the answer.
    }
  };
  const authenticatePassword = options.authenticatePassword;
  const authenticateClient = options.authenticateClient;
  const maxBodyBytes = options.maxBodyBytes ?? 8192;
  const ttl = options.accessTokenTtlSeconds;
  const now = options.now ?? Date.now;
  const basicChallenge = challenge("Basic", { realm: options.realm ?? "gatehouse" });
  for (const [name, value] of Object.entries({ issuer, refreshTokens, scopeValidator })) {
    if (!value) throw new TypeError(`createTokenEndpoint: ${name} is required`);
  }
  if (typeof authenticatePassword !== "function" || typeof authenticateClient !== "function") {
    throw new TypeError("createTokenEndpoint: authenticatePassword and authenticateClient are required");
  }
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError("createTokenEndpoint: maxBodyBytes must be a positive integer");
  }
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) {
    throw new TypeError("createTokenEndpoint: accessTokenTtlSeconds must be a positive integer");
  }

  const invalidClient = (viaBasic: boolean, description = "Client authentication failed") =>
    viaBasic
      ? new OAuthError(401, "invalid_client", description, { "www-authenticate": basicChallenge })
      : new OAuthError(400, "invalid_client", description);

  /** Granted = requested (each satisfied by `held`), or all of `held` when nothing was requested. */
  const grant = (held: readonly string[], requested: string[] | undefined): string[] => {
    const valid = held.filter(isScope);
    if (requested === undefined) return [...new Set(valid)];
    if (missingScope(scopeValidator, valid, requested) !== undefined) {
      throw new OAuthError(400, "invalid_scope", "The requested scope exceeds the scope granted");
    }
    return requested;
  };

  const accessToken = async (
    claims: Record<string, unknown>,
    scopes: readonly string[],
    refreshToken?: string,
    notAfter?: number,
  ) => {
    const scope = scopes.join(" ");
    const issued = await issuer.createAccessToken(
      { ...claims, scope },
      { ...(ttl === undefined ? {} : { expiresIn: ttl }), ...(notAfter === undefined ? {} : { notAfter }) },
    );
    const body: TokenResponseBody = {
      access_token: issued.access_token,
      token_type: "Bearer",
      expires_in: issued.expires_in,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      scope,
    };
    return json(200, body);
  };

  const passwordGrant = async (request: Request, params: Map<string, string>) => {
    const username = required(params, "username");
    const password = required(params, "password");
    const requested = requestedScopes(params);
    const decision = throttle
      ? await throttle.reserve({ username, address: clientAddress?.(request) ?? null })
      : { allowed: true as const };
    if (!decision.allowed) {
      tell({ username, outcome: "throttled", userId: null, request });
      const retryAfter = Math.max(1, Math.ceil(decision.retryAfterSeconds));
      // RFC 6749 §5.2 has no throttling code (`slow_down` is RFC 8628's device flow): a §5.2 code any
      // client parses, with the status and Retry-After (RFC 6585 §4) saying "later".
      throw new OAuthError(429, "invalid_request", "Too many attempts, retry later", {
        "retry-after": String(retryAfter),
      });
    }
    const user = await authenticatePassword(username, password);
    await decision.settle?.(user ? "success" : "failure");
    tell({ username, outcome: user ? "succeeded" : "failed", userId: user?.userId ?? null, request });
    if (!user) throw new OAuthError(400, "invalid_grant", "Invalid username or password");
    const scopes = grant(user.scopes, requested);
    const refresh = await refreshTokens.issue({
      userId: user.userId,
      scopes,
      userAgent: request.headers.get("user-agent"),
    });
    // `sid` names the refresh family, so signing that sign-in out reaches its access tokens too.
    return accessToken({ sub: user.userId, kind: "user", sid: refresh.familyId }, scopes, refresh.token);
  };

  const refreshGrant = async (params: Map<string, string>) => {
    const token = required(params, "refresh_token");
    const requested = requestedScopes(params);
    let rotated: Awaited<ReturnType<RefreshTokenService["rotate"]>>;
    try {
      rotated = await refreshTokens.rotate(token, requested === undefined ? {} : { requestedScopes: requested });
    } catch (error) {
      if (!isRefreshTokenError(error)) throw error;
      throw error.code === "invalid_scope"
        ? new OAuthError(400, "invalid_scope", "The requested scope exceeds the scope granted")
        : new OAuthError(400, "invalid_grant", "Invalid refresh token");
    }
    return accessToken(
      { sub: rotated.userId, kind: "user", sid: rotated.familyId },
      rotated.grantedScopes,
      rotated.token,
    );
  };

  const clientCredentialsGrant = async (credentials: ClientCredentials | undefined, params: Map<string, string>) => {
    if (!credentials) throw invalidClient(true, "Client authentication required");
    const requested = requestedScopes(params);
    const client = await authenticateClient(credentials.id, credentials.secret);
    if (!client) throw invalidClient(credentials.viaBasic);
    // The token must not outlive the key behind it (a key expiring this very second is as good as expired).
    const notAfter = client.expiresAt;
    if (notAfter !== undefined && !(notAfter > Math.floor(now() / 1000))) throw invalidClient(credentials.viaBasic);
    const scopes = grant(client.scopes, requested);
    const custom = Object.fromEntries(
      Object.entries(client.claims ?? {}).filter(([name]) => !RESERVED_CLAIMS.has(name)),
    );
    return accessToken(
      { ...custom, sub: client.subject, kind: client.kind, client_id: credentials.id },
      scopes,
      undefined,
      notAfter,
    );
  };

  return async function tokenEndpoint(request) {
    try {
      if (request.method !== "POST") {
        throw new OAuthError(405, "invalid_request", "The token endpoint accepts only POST", { allow: "POST" });
      }
      requireForm(request, "token");
      const params = parseForm(await readForm(request, maxBodyBytes), KNOWN_PARAMETERS);
      const credentials = clientCredentials(request, params, invalidClient);
      const grantType = params.get("grant_type");
      switch (grantType) {
        case "password":
          return await passwordGrant(request, params);
        case "refresh_token":
          return await refreshGrant(params);
        case "client_credentials":
          return await clientCredentialsGrant(credentials, params);
        case undefined:
          throw new OAuthError(400, "invalid_request", "Missing parameter: grant_type");
        default:
          throw new OAuthError(400, "unsupported_grant_type", "The grant type is not supported");
      }
    } catch (error) {
      if (error instanceof OAuthError) return errorResponse(error);
      // A port threw (database down, key store gone): the client may retry; the cause goes to logs only.
      return unavailableResponse(error, onError);
    }
  };
}

function required(params: Map<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new OAuthError(400, "invalid_request", `Missing parameter: ${name}`);
  return value;
}

function requestedScopes(params: Map<string, string>): string[] | undefined {
  const scope = params.get("scope");
  if (scope === undefined) return undefined;
  try {
    return parseScopeList(scope);
  } catch {
    // parseScopeList throws only InvalidScopeError (matched loosely: the class may come from another module copy).
    throw new OAuthError(400, "invalid_scope", "The scope is malformed");
  }
}
