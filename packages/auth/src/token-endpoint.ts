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
import { readBody } from "./read-body";
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
}

export interface TokenResponseBody {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

type TokenErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "invalid_scope"
  | "unsupported_grant_type"
  | "slow_down"
  | "temporarily_unavailable";

const FORM = "application/x-www-form-urlencoded";
// Stateless between calls (no `stream` option), so one instance serves every request.
const UTF8 = new TextDecoder("utf-8", { fatal: true });
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
]);

/** A refusal, rendered as RFC 6749 §5.2 JSON. `description` is static text, never input. */
class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly error: TokenErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

interface ClientCredentials {
  id: string;
  secret: string;
  /** Came in an `Authorization: Basic` header: a refusal is then a 401 with a challenge (§5.2). */
  viaBasic: boolean;
}

export function createTokenEndpoint(options: TokenEndpointOptions): (request: Request) => Promise<Response> {
  const { issuer, refreshTokens, scopeValidator, throttle, clientAddress, onError } = options;
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
      ? new TokenError(401, "invalid_client", description, { "www-authenticate": basicChallenge })
      : new TokenError(400, "invalid_client", description);

  /** Granted = requested (each satisfied by `held`), or all of `held` when nothing was requested. */
  const grant = (held: readonly string[], requested: string[] | undefined): string[] => {
    const valid = held.filter(isScope);
    if (requested === undefined) return [...new Set(valid)];
    if (missingScope(scopeValidator, valid, requested) !== undefined) {
      throw new TokenError(400, "invalid_scope", "The requested scope exceeds the scope granted");
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
      const retryAfter = Math.max(1, Math.ceil(decision.retryAfterSeconds));
      throw new TokenError(429, "slow_down", "Too many attempts, retry later", { "retry-after": String(retryAfter) });
    }
    const user = await authenticatePassword(username, password);
    await decision.settle?.(user ? "success" : "failure");
    if (!user) throw new TokenError(400, "invalid_grant", "Invalid username or password");
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
        ? new TokenError(400, "invalid_scope", "The requested scope exceeds the scope granted")
        : new TokenError(400, "invalid_grant", "Invalid refresh token");
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
        throw new TokenError(405, "invalid_request", "The token endpoint accepts only POST", { allow: "POST" });
      }
      const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
      if (mediaType !== FORM) {
        throw new TokenError(400, "invalid_request", "The body must be application/x-www-form-urlencoded");
      }
      const params = parseForm(await readForm(request, maxBodyBytes));
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
          throw new TokenError(400, "invalid_request", "Missing parameter: grant_type");
        default:
          throw new TokenError(400, "unsupported_grant_type", "The grant type is not supported");
      }
    } catch (error) {
      if (error instanceof TokenError) {
        return json(error.status, { error: error.error, error_description: error.description }, error.headers);
      }
      // A port threw (database down, key store gone): the client may retry; the cause goes to logs only.
      let requestId: unknown;
      try {
        requestId = onError?.(error);
      } catch {
        // A failing logger must not turn the 503 into a 500.
      }
      return json(
        503,
        {
          error: "temporarily_unavailable",
          error_description: "The service is temporarily unavailable",
          ...(typeof requestId === "string" ? { request_id: requestId } : {}),
        },
        { "retry-after": "5" },
      );
    }
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json;charset=UTF-8",
      // RFC 6749 §5.1: tokens and errors alike must not be cached.
      "cache-control": "no-store",
      pragma: "no-cache",
      ...headers,
    },
  });
}

/** The form body as text: at most `max` bytes (else 413), valid UTF-8 (else 400). */
async function readForm(request: Request, max: number): Promise<string> {
  const bytes = await readBody(request, max);
  if (!bytes) throw new TokenError(413, "invalid_request", "The request body is too large");
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new TokenError(400, "invalid_request", "The request body is not valid UTF-8");
  }
}

/**
 * Form parameters, each at most once (RFC 6749 §3.2). A parameter without a value counts
 * as omitted (§3.1), so the map holds only non-empty values.
 */
function parseForm(body: string): Map<string, string> {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (seen.has(name)) {
      const shown = KNOWN_PARAMETERS.has(name) ? `: ${name}` : "";
      throw new TokenError(400, "invalid_request", `A parameter is repeated${shown}`);
    }
    seen.add(name);
    // A NUL cannot be stored in Postgres text: refuse it here (400) rather than fail deeper (503).
    if (name.includes("\0") || value.includes("\0")) {
      throw new TokenError(400, "invalid_request", "A parameter contains a NUL character");
    }
    if (value !== "") params.set(name, value);
  }
  return params;
}

function required(params: Map<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new TokenError(400, "invalid_request", `Missing parameter: ${name}`);
  return value;
}

function requestedScopes(params: Map<string, string>): string[] | undefined {
  const scope = params.get("scope");
  if (scope === undefined) return undefined;
  try {
    return parseScopeList(scope);
  } catch {
    // parseScopeList throws only InvalidScopeError (matched loosely: the class may come from another module copy).
    throw new TokenError(400, "invalid_scope", "The scope is malformed");
  }
}

/**
 * Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1: id and secret each
 * form-urlencoded, then joined by `:` and base64-encoded) or from the form; both at once is
 * `invalid_request` (§2.3). `undefined` when the request carries none.
 */
function clientCredentials(
  request: Request,
  params: Map<string, string>,
  invalidClient: (viaBasic: boolean, description?: string) => TokenError,
): ClientCredentials | undefined {
  const header = request.headers.get("authorization");
  const basic = header === null ? null : /^basic(?: +(.*))?$/i.exec(header.trim());
  const formId = params.get("client_id");
  const formSecret = params.get("client_secret");
  if (basic) {
    if (formSecret !== undefined) {
      throw new TokenError(400, "invalid_request", "Use one client authentication method, not two");
    }
    const decoded = decodeBasic(basic[1] ?? "");
    if (!decoded) throw invalidClient(true, "Malformed Basic credentials");
    if (formId !== undefined && formId !== decoded.id) {
      throw new TokenError(400, "invalid_request", "client_id differs from the authenticated client");
    }
    return { ...decoded, viaBasic: true };
  }
  if (formSecret === undefined) return undefined;
  if (formId === undefined) throw new TokenError(400, "invalid_request", "Missing parameter: client_id");
  return { id: formId, secret: formSecret, viaBasic: false };
}

function decodeBasic(token: string): { id: string; secret: string } | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return null;
  let text: string;
  try {
    const binary = atob(token);
    text = UTF8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = text.indexOf(":");
  if (colon <= 0) return null;
  const id = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  return id && secret ? { id, secret } : null;
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}
