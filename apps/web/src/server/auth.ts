/**
 * Wires @gatehouse/auth to this app: keys, token issuer, verifiers (our JWTs, an optional
 * external OIDC issuer, API keys), the authenticators, refresh-token rotation and the token
 * endpoint, with @gatehouse/db behind every port. Edit this file to add a credential type
 * or change who may sign in.
 */
import "server-only";
import { isApiKeyFormat } from "@gatehouse/auth/api-key";
import { type ApiKeyVerifier, createApiKeyVerifier, subscribeToRevocations } from "@gatehouse/auth/api-key-verifier";
import { createJwtIssuer, createJwtVerifier, type JwtIssuer, type KeySet } from "@gatehouse/auth/jwt";
import { createRemoteJwksVerifier } from "@gatehouse/auth/jwt/remote";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "@gatehouse/auth/password";
import { createRefreshTokenService, type RefreshTokenService } from "@gatehouse/auth/refresh-token";
import { apiKeyHeader, bearer, cookie } from "@gatehouse/auth/scheme";
import { createTokenEndpoint } from "@gatehouse/auth/token-endpoint";
import { type Authenticator, createAuthenticator, type Verifier } from "@gatehouse/auth/verifier";
import { findUserByEmail, type User, updateUserPasswordHash } from "@gatehouse/db/users";
import { env } from "~/env";
import { createApiKeyStore } from "./api-key-store";
import { getDatabase } from "./db";
import { routeByIssuer } from "./issuer-router";
import { loadKeySet } from "./keys";
import { createThrottle, type Throttle } from "./login-throttle";
import { loadRefreshTokenKey } from "./refresh-token-key";
import { createRefreshTokenStore } from "./refresh-token-store";
import { scopeValidator } from "./scopes";
import { sessionCookieName } from "./session-cookies";

export interface AuthServices {
  keySet: KeySet;
  issuer: JwtIssuer;
  /** Credentials a client chooses to send: `Authorization`, `X-API-Key`. Strict: a bad one is a 401. */
  headerAuthenticator: Authenticator;
  /** The browser session cookie. Ambient, so an expired or bad cookie counts as signed out. */
  cookieAuthenticator: Authenticator;
  apiKeys: ApiKeyVerifier;
  refreshTokens: RefreshTokenService;
  /** Failed password attempts per email and address: the sign-in form and the token endpoint share it. */
  loginThrottle: Throttle;
  /** Sign-up attempts per address. */
  signUpThrottle: Throttle;
  /** `POST /api/token` (OAuth 2.0 token endpoint). */
  tokenEndpoint: (request: Request) => Promise<Response>;
}

let services: Promise<AuthServices> | undefined;

/** Built on first use (keys imported once). Per module instance: cheap, and holds no connection. */
export function getAuth(): Promise<AuthServices> {
  services ??= build().catch((error) => {
    services = undefined;
    throw error;
  });
  return services;
}

async function build(): Promise<AuthServices> {
  const config = env();
  const keySet = await loadKeySet(config);
  const issuer = createJwtIssuer({ keySet, issuer: config.issuer, defaultExpiresIn: config.accessTokenTtl });
  const ours = createJwtVerifier({ keySet, algorithms: [keySet.current.alg], issuer: config.issuer, audience: null });
  const external = config.oidc
    ? createRemoteJwksVerifier({
        issuer: config.oidc.issuer,
        audience: config.oidc.audience ?? null,
        algorithms: ["RS256", "ES256", "PS256", "EdDSA"],
      })
    : undefined;
  const jwt: Verifier = external
    ? routeByIssuer({ [config.issuer]: ours, [config.oidc?.issuer ?? ""]: external })
    : ours;

  const apiKeys = createApiKeyVerifier({
    store: createApiKeyStore(getDatabase),
    validator: scopeValidator,
    // A gk_test_ key pasted into production (or the reverse) is refused offline.
    environments: [config.apiKeyEnvironment],
    onError: (error) => console.error("API key last-used update failed:", error),
  });
  // Another instance revoked a key: drop it from this process's cache at once (LISTEN/NOTIFY);
  // after the listener reconnects, drop the whole cache (notices sent meanwhile are lost).
  subscribeToRevocations({
    listen: async (channel, onPayload, onListen) => (await getDatabase()).listen(channel, onPayload, onListen),
    verifiers: [apiKeys],
  }).catch((error: unknown) => console.error("Could not subscribe to API key revocations:", error));

  const refreshTokens = createRefreshTokenService({
    store: createRefreshTokenStore(getDatabase),
    scopeValidator,
    successorKey: await loadRefreshTokenKey(config),
    ttlSeconds: config.refreshTokenTtl,
    absoluteTtlSeconds: config.refreshTokenAbsoluteTtl,
  });
  // In the database, so every instance shares one budget per key.
  const loginThrottle = createThrottle({ database: getDatabase, ...config.loginThrottle });
  const signUpThrottle = createThrottle({ database: getDatabase, ...config.signUpThrottle });

  const tokenEndpoint = createTokenEndpoint({
    issuer,
    refreshTokens,
    scopeValidator,
    throttle: loginThrottle,
    clientAddress,
    async authenticatePassword(username, password) {
      const user = await authenticatePassword(username, password);
      return user ? { userId: user.id, scopes: user.scopes } : null;
    },
    async authenticateClient(clientId, clientSecret) {
      if (!isApiKeyFormat(clientSecret)) return null;
      const principal = await apiKeys.verify(clientSecret).catch((error: unknown) => {
        if ((error as { status?: number }).status === 401) return null;
        throw error;
      });
      if (!principal || principal.claims.key_id !== clientId) return null;
      return { subject: principal.subject, kind: "api_key", scopes: principal.scopes, claims: { key_id: clientId } };
    },
    onError: (error) => console.error("token endpoint:", error),
  });

  return {
    keySet,
    issuer,
    headerAuthenticator: createAuthenticator([
      // An API key may come as `Authorization: Bearer gk_…` too; everything else bearer is a JWT.
      { scheme: bearer({ accepts: isApiKeyFormat }), verifier: apiKeys },
      { scheme: bearer({ accepts: (token) => !isApiKeyFormat(token) }), verifier: jwt },
      { scheme: apiKeyHeader(), verifier: apiKeys },
    ]),
    cookieAuthenticator: createAuthenticator([{ scheme: cookie(sessionCookieName()), verifier: ours }]),
    apiKeys,
    refreshTokens,
    loginThrottle,
    signUpThrottle,
    tokenEndpoint,
  };
}

/**
 * The caller's address for throttling. Behind a proxy, the last `X-Forwarded-For` hop is the
 * one our proxy added (earlier ones are client-supplied); direct, Next gives no socket address.
 */
export function clientAddress(source: Request | Headers): string {
  const headers = source instanceof Headers ? source : source.headers;
  const forwarded = headers.get("x-forwarded-for");
  return forwarded?.split(",").at(-1)?.trim() || headers.get("x-real-ip") || "unknown";
}

/**
 * The user for this email and password, or `null`. Unknown email and wrong password take
 * the same time and give the same answer; a disabled user cannot sign in.
 */
export async function authenticatePassword(email: string, password: string): Promise<User | null> {
  const { db } = await getDatabase();
  const user = await findUserByEmail(db, email);
  if (!user) {
    await verifyAgainstDummy(password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password)) || user.disabledAt) return null;
  if (needsRehash(user.passwordHash)) await updateUserPasswordHash(db, user.id, await hashPassword(password));
  return user;
}
