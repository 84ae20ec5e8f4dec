/**
 * Wires @gatehouse/auth to this app: keys, token issuer, verifiers (our JWTs, an optional
 * external OIDC issuer, API keys), the authenticators, refresh-token rotation and the token
 * endpoint, with @gatehouse/db behind every port. Edit this file to add a credential type
 * or change who may sign in.
 */
import "server-only";
import { hashApiKey, isApiKeyFormat, isValidApiKey } from "@gatehouse/auth/api-key";
import { type ApiKeyVerifier, createApiKeyVerifier, subscribeToRevocations } from "@gatehouse/auth/api-key-verifier";
import { createIntrospectionEndpoint } from "@gatehouse/auth/introspection-endpoint";
import { createJwtIssuer, createJwtVerifier, type JwtIssuer, type KeySet } from "@gatehouse/auth/jwt";
import { createRemoteJwksVerifier } from "@gatehouse/auth/jwt/remote";
import {
  configurePasswordHashing,
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from "@gatehouse/auth/password";
import type { Principal } from "@gatehouse/auth/principal";
import { createRefreshTokenService, type RefreshTokenService } from "@gatehouse/auth/refresh-token";
import { createRevocationEndpoint } from "@gatehouse/auth/revocation-endpoint";
import { RevocationList } from "@gatehouse/auth/revocation-list";
import { apiKeyHeader, bearer, cookie } from "@gatehouse/auth/scheme";
import { type AuthenticatedClient, createTokenEndpoint, type PasswordThrottle } from "@gatehouse/auth/token-endpoint";
import { type Authenticator, createAuthenticator, type Verifier } from "@gatehouse/auth/verifier";
import { findApiKeyByHash } from "@gatehouse/db/api-keys";
import { findUserByEmail, type User, updateUserPasswordHash } from "@gatehouse/db/users";
import { type Env, env } from "~/env";
import { type AccessRevocationSubscription, revokeAccess, subscribeToAccessRevocations } from "./access-revocation";
import { createApiKeyStore } from "./api-key-store";
import { createAttemptThrottle } from "./attempt-throttle";
import { loadChainKey } from "./auth-event-key";
import { type AuthEventRecorder, createAuthEventRecorder } from "./auth-event-recorder";
import { clientAddress } from "./client-address";
import { getDatabase } from "./db";
import { externalPrincipal } from "./external-principal";
import { FIRST_PARTY_CLIENT_ID } from "./first-party-client";
import { logInternalError } from "./internal-error";
import { routeByIssuer } from "./issuer-router";
import { loadKeySet } from "./keys";
import { createLoginThrottle } from "./login-throttle";
import { loadRefreshTokenKey } from "./refresh-token-key";
import { createRefreshTokenStore } from "./refresh-token-store";
import { holdWhileReloading } from "./revocation-hold";
import { revokeApiKeyEverywhere } from "./revoke-api-key";
import { INTROSPECT_SCOPE, scopeValidator } from "./scopes";
import { sessionCookieName } from "./session-cookies";
import { createSignUpThrottle, type SignUpThrottle } from "./sign-up-throttle";

export interface AuthServices {
  keySet: KeySet;
  issuer: JwtIssuer;
  /** Credentials a client chooses to send: `Authorization`, `X-API-Key`. Strict: a bad one is a 401. */
  headerAuthenticator: Authenticator;
  /** The browser session cookie. Ambient, so an expired or bad cookie counts as signed out. */
  cookieAuthenticator: Authenticator;
  apiKeys: ApiKeyVerifier;
  /** Settles once this process LISTENs for key revocations (a failure is logged): tests await it. */
  revocationsListening: Promise<void>;
  refreshTokens: RefreshTokenService;
  /** Revoked sign-ins, keys and user cut-offs our JWT verifier refuses; change it only through `revokeAccess`. */
  accessRevocations: RevocationList;
  /** Its feed (table at start and at each listener reconnect, then NOTIFY): tests await `ready`/`reloaded()`. */
  accessRevocationFeed: AccessRevocationSubscription;
  /** The caller's address, by `TRUSTED_PROXY_HOPS` (./client-address.ts); `null` without a trusted proxy. */
  clientAddress: (headers: Headers) => string | null;
  /** Password attempts per account, per (address, account), per address: the form and the token endpoint share it. */
  loginThrottle: PasswordThrottle;
  /** Sign-up attempts in all and per address. */
  signUpThrottle: SignUpThrottle;
  /** `POST /api/token` (OAuth 2.0 token endpoint). */
  tokenEndpoint: (request: Request) => Promise<Response>;
  /** `POST /api/revoke` (RFC 7009): refresh tokens, API keys and access tokens, by their holder. */
  revocationEndpoint: (request: Request) => Promise<Response>;
  /** `POST /api/introspect` (RFC 7662), for clients holding `tokens:introspect`. */
  introspectionEndpoint: (request: Request) => Promise<Response>;
  /** The security log (#11 §5): `record()` off the request path; tests `await events.flush()`. */
  events: AuthEventRecorder;
}

export interface BuildAuthServicesPorts {
  /**
   * Revokes an access token presented at `POST /api/revoke`. Default: one of our tokens that
   * still verifies is revoked by its `jti` (that token only, on every instance); anything
   * else is a no-op answered 200 (RFC 7009 §2.2).
   */
  revokeAccessToken?: (token: string) => Promise<void>;
}

let services: Promise<AuthServices> | undefined;

/** Built on first use (keys imported once). Per module instance: cheap, and holds no connection. */
export function getAuth(): Promise<AuthServices> {
  services ??= buildAuthServices().catch((error) => {
    services = undefined;
    throw error;
  });
  return services;
}

export interface BuildAuthServicesOptions {
  /** Default: `env()`. */
  config?: Env;
  /** Clock of the attempt throttles in ms, for tests. Default: `Date.now`. */
  now?: () => number;
  ports?: BuildAuthServicesPorts;
}

/** What `getAuth()` returns, built afresh: tests use it to run the real wiring on their own clock or settings. */
export async function buildAuthServices(options: BuildAuthServicesOptions = {}): Promise<AuthServices> {
  const config = options.config ?? env();
  configurePasswordHashing({ concurrency: config.passwordHashConcurrency });
  const keySet = await loadKeySet(config);
  // RFC 9068: our access tokens name their audience and client, and we take only those (typ at+jwt, our aud).
  const issuer = createJwtIssuer({
    keySet,
    issuer: config.issuer,
    audience: config.audience,
    clientId: FIRST_PARTY_CLIENT_ID,
    defaultExpiresIn: config.accessTokenTtl,
  });
  const accessRevocations = new RevocationList();
  const addressOf = (headers: Headers) => clientAddress(headers, config.trustedProxyHops);
  const chainKey = loadChainKey(config);
  chainKey.catch(() => {}); // Reported by the first append that needs it.
  const events = createAuthEventRecorder({
    database: getDatabase,
    key: () => chainKey,
    addressOf,
    onError: (error) => logInternalError("security log", error),
  });
  const ours = createJwtVerifier({
    keySet,
    algorithms: [keySet.current.alg],
    issuer: config.issuer,
    audience: config.audience,
    typ: "at+jwt",
    // Sign-out, a revoked key, a disabled user: refused now on every instance, not at `exp`.
    revocations: accessRevocations,
  });
  const accessRevocationFeed = subscribeToAccessRevocations({
    database: getDatabase,
    list: accessRevocations,
    // A token lives accessTokenTtl; the verifier's clock tolerance is 5 s; a margin for clock skew.
    lookbackSeconds: config.accessTokenTtl + 60,
    onError: (error) => logInternalError("access revocation feed", error),
  });
  accessRevocationFeed.ready.catch((error: unknown) => logInternalError("access revocation subscription", error));
  // Not trusted while the revoked set is (re)loading: at start and after a listener reconnect (./revocation-hold.ts).
  const oursWhenCurrent = holdWhileReloading(ours, accessRevocationFeed, { deadlineMs: config.requestTimeoutMs });
  const external = config.oidc
    ? createRemoteJwksVerifier({
        issuer: config.oidc.issuer,
        audience: config.oidc.audience,
        algorithms: ["RS256", "ES256", "PS256", "EdDSA"],
        toPrincipal: externalPrincipal,
      })
    : undefined;
  const jwt: Verifier = external
    ? routeByIssuer({ [config.issuer]: oursWhenCurrent, [config.oidc?.issuer ?? ""]: external })
    : oursWhenCurrent;

  const apiKeys = createApiKeyVerifier({
    store: createApiKeyStore(getDatabase, {
      onRevokedKeyPresented: ({ id, userId }) =>
        void events.record({ type: "api_key.used_after_revocation", userId, detail: `API key ${id}` }),
    }),
    validator: scopeValidator,
    // A gk_test_ key pasted into production (or the reverse) is refused offline.
    environments: [config.apiKeyEnvironment],
    cacheTtl: config.apiKeyCacheTtlMs,
    onError: (error) => logInternalError("API key last-used update", error),
  });
  // Another instance revoked a key or changed its owner: drop it from this process's cache at once (LISTEN/NOTIFY);
  // after the listener reconnects, drop the whole cache (notices sent meanwhile are lost).
  const revocationsListening = subscribeToRevocations({
    listen: async (channel, onPayload, onListen) => (await getDatabase()).listen(channel, onPayload, onListen),
    verifiers: [apiKeys],
  }).then(
    () => {},
    (error: unknown) => {
      logInternalError("API key revocation subscription", error);
    },
  );

  const refreshTokens = createRefreshTokenService({
    store: createRefreshTokenStore(getDatabase),
    scopeValidator,
    successorKey: await loadRefreshTokenKey(config),
    ttlSeconds: config.refreshTokenTtl,
    absoluteTtlSeconds: config.refreshTokenAbsoluteTtl,
    // A replayed refresh token revokes its family: the access tokens it (or a thief) got die too.
    onReuseRevoked: async (familyId) => {
      void events.record({ type: "refresh.reuse_detected", familyId, detail: `sign-in ${familyId}` });
      await revokeAccess({ database: await getDatabase(), list: accessRevocations }, [
        { kind: "family", subject: familyId },
      ]);
    },
  });
  // In the database, so every instance shares one budget per key.
  const attempts = createAttemptThrottle({ database: getDatabase, ...(options.now ? { now: options.now } : {}) });
  const loginThrottle = createLoginThrottle({ attempts, budgets: config.loginThrottle });
  const signUpThrottle = createSignUpThrottle({ attempts, budgets: config.signUpThrottle });

  /** An API key's principal, or `null` for any key the verifier refuses (401); other errors propagate (503). */
  const verifyApiKey = (key: string): Promise<Principal | null> =>
    apiKeys.verify(key).catch((error: unknown) => {
      if ((error as { status?: number }).status === 401) return null;
      throw error;
    });
  /** Client credentials: an API key's id as the client id, the key as the secret. */
  const authenticateClient = async (clientId: string, clientSecret: string): Promise<AuthenticatedClient | null> => {
    if (!isApiKeyFormat(clientSecret)) return null;
    const principal = await verifyApiKey(clientSecret);
    if (!principal || principal.claims.key_id !== clientId) return null;
    const exp = principal.claims.exp;
    return {
      subject: principal.subject,
      kind: "api_key",
      scopes: principal.scopes,
      claims: { key_id: clientId },
      // The access token must not outlive the key (the key's principal carries its expiry as `exp`).
      ...(typeof exp === "number" ? { expiresAt: exp } : {}),
    };
  };

  const tokenEndpoint = createTokenEndpoint({
    issuer,
    refreshTokens,
    scopeValidator,
    throttle: loginThrottle,
    clientAddress: (request) => addressOf(request.headers),
    async authenticatePassword(username, password) {
      const user = await authenticatePassword(username, password);
      return user ? { userId: user.id, scopes: user.scopes } : null;
    },
    authenticateClient,
    onError: (error) => logInternalError("token endpoint", error),
    onPasswordAttempt: ({ username, outcome, userId, request }) =>
      void events.record({
        type: `sign_in.${outcome}`,
        userId,
        email: username,
        headers: request.headers,
        detail: "token endpoint",
      }),
  });

  const revocationEndpoint = createRevocationEndpoint({
    // A revoked refresh token ends its sign-in: the family's access tokens die with it (as at sign-out).
    refreshTokens: {
      async revoke(token) {
        const familyId = await refreshTokens.revoke(token);
        if (familyId) {
          void events.record({ type: "token.revoked", familyId, detail: `refresh token of sign-in ${familyId}` });
          await revokeAccess({ database: await getDatabase(), list: accessRevocations }, [
            { kind: "family", subject: familyId },
          ]);
        }
        return familyId;
      },
    },
    // Presenting a key revokes it (the holder's proof), its minted children with it, on every instance.
    async revokeApiKey(key) {
      if (!isValidApiKey(key, [config.apiKeyEnvironment])) return;
      const database = await getDatabase();
      const row = await findApiKeyByHash(database.db, hashApiKey(key));
      if (!row) return;
      const revoked = await revokeApiKeyEverywhere(
        database,
        { apiKeys, accessRevocations },
        { userId: row.userId, id: row.id },
      );
      if (revoked > 0) void events.record({ type: "token.revoked", userId: row.userId, detail: `API key ${row.id}` });
    },
    // The holder revokes this token only (its jti): its sign-in, key and sibling tokens live on,
    // as RFC 7009 §2.1 allows; sign-out or revoking the refresh token ends the whole sign-in.
    revokeAccessToken:
      options.ports?.revokeAccessToken ??
      (async (token) => {
        const principal = await ours.verify(token).catch((error: unknown) => {
          if ((error as { status?: number }).status === 401) return null;
          throw error;
        });
        const jti = principal?.claims.jti;
        if (typeof jti !== "string" || jti === "") return;
        await revokeAccess({ database: await getDatabase(), list: accessRevocations }, [
          { kind: "token", subject: jti },
        ]);
      }),
    onError: (error) => logInternalError("revocation endpoint", error),
  });

  const introspectionEndpoint = createIntrospectionEndpoint({
    authenticateClient,
    requiredScope: INTROSPECT_SCOPE,
    scopeValidator,
    // Our tokens only, through the same verifier every request uses: what it refuses is inactive.
    verifyAccessToken: (token) =>
      oursWhenCurrent.verify(token).catch((error: unknown) => {
        if ((error as { status?: number }).status === 401) return null;
        throw error;
      }),
    verifyApiKey,
    refreshTokens,
    onError: (error) => logInternalError("introspection endpoint", error),
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
    cookieAuthenticator: createAuthenticator([{ scheme: cookie(sessionCookieName()), verifier: oursWhenCurrent }]),
    apiKeys,
    revocationsListening,
    refreshTokens,
    accessRevocations,
    accessRevocationFeed,
    clientAddress: addressOf,
    loginThrottle,
    signUpThrottle,
    tokenEndpoint,
    revocationEndpoint,
    introspectionEndpoint,
    events,
  };
}

/**
 * The user for this email and password, or `null`. Unknown email and wrong password take
 * the same time and give the same answer; a disabled user cannot sign in.
 */
export async function authenticatePassword(email: string, password: string): Promise<User | null> {
  const { db } = await getDatabase();
  const user = await findUserByEmail(db, email);
  // No password (an account linked from an external issuer): like an unknown user, same time, same answer.
  if (!user?.passwordHash) {
    await verifyAgainstDummy(password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password)) || user.disabledAt) return null;
  if (needsRehash(user.passwordHash)) await updateUserPasswordHash(db, user.id, await hashPassword(password));
  return user;
}
