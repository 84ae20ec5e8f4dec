/**
 * The verify pipeline shared by our own key set and remote issuers:
 * cache hit → cheap structural checks → key lookup → signature (node:crypto, synchronous) →
 * claims (jose's rules, `claims-check.ts`) → principal.
 * Options are checked once here, at construction; the per-token path only reads them.
 */
import type { JWTPayload } from "jose";
import { isAuthError, Unauthorized } from "../errors";
import type { Principal } from "../principal";
import type { RevocationCheck } from "../revocation-list";
import { InvalidScopeError } from "../scopes";
import type { Verifier } from "../verifier";
import { createClaimsCheck } from "./claims-check";
import { createCompactJwsInspector, DEFAULT_MAX_TOKEN_LENGTH, type TokenHeader } from "./compact-jws";
import type { SignatureCheck } from "./signature-check";
import { type CacheOptions, VerifiedTokenCache } from "./verified-token-cache";

export type { CacheOptions } from "./verified-token-cache";

/** Options every JWT verifier takes (our key set or a remote issuer). */
export interface TokenVerifyOptions<Alg extends string = string> {
  /** Accepted `alg` values; no default on purpose. A token with another `alg` is a 401. */
  algorithms: readonly Alg[];
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** Expected `aud` (any of, for a list); `null` to skip the audience check explicitly. */
  audience: string | readonly string[] | null;
  /** Seconds of leeway for `exp`/`nbf`. Default: 5. */
  clockTolerance?: number;
  /** Claims that must be present besides `exp` (always required). Default: `["sub"]`. */
  requiredClaims?: readonly string[];
  /** Expected `typ` header (e.g. `"at+jwt"`, RFC 9068), when set. Default: not checked. */
  typ?: string;
  /** Longest token accepted, checked before any parsing. Default: 16384 characters. */
  maxTokenLength?: number;
  /** Builds the principal from verified claims. Default: `defaultPrincipal`. */
  toPrincipal?: (claims: JWTPayload) => Principal;
  /** Verified-token cache; `false` disables it. Default: `{ maxEntries: 1000 }`. */
  cache?: CacheOptions | false;
  /** Revoked sign-ins, keys and user cut-offs (`RevocationList`), asked on every verify, cache hits too. Default: none. */
  revocations?: RevocationCheck;
  /** Clock in milliseconds, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface ResolvedKey {
  /** The key's signature check, built once when the key was imported (`createSignatureCheck`). */
  readonly check: SignatureCheck;
  /** Identity of the key; a cached token is honoured only while `isCurrent` still returns true for it. */
  readonly handle: object;
}

export interface KeyResolver {
  /** The key for an allow-listed header, or throws an `AuthError` (401 unknown key, 503 issuer down). */
  resolve(header: TokenHeader): ResolvedKey | Promise<ResolvedKey>;
  /** Synchronous: is `handle` still the key for `kid`? Called on every cache hit. */
  isCurrent(kid: string, handle: object): boolean;
}

export function createTokenVerifier(
  who: string,
  options: TokenVerifyOptions,
  defaults: { toPrincipal: (claims: JWTPayload) => Principal },
  keys: KeyResolver,
): Verifier {
  const algorithms = [...options.algorithms];
  if (algorithms.length === 0) throw new TypeError(`${who}: algorithms must not be empty`);
  if (!options.issuer) throw new TypeError(`${who}: issuer is required`);
  if (options.audience === undefined) throw new TypeError(`${who}: audience is required (null to skip the check)`);
  const clockTolerance = options.clockTolerance ?? 5;
  if (!(clockTolerance >= 0)) throw new TypeError(`${who}: clockTolerance must be >= 0`);
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (!(maxTokenLength > 0)) throw new TypeError(`${who}: maxTokenLength must be positive`);

  const inspect = createCompactJwsInspector({ maxLength: maxTokenLength, algorithms: new Set<string>(algorithms) });
  const toPrincipal = options.toPrincipal ?? defaults.toPrincipal;
  const now = options.now ?? Date.now;
  const cache = options.cache === false ? null : new VerifiedTokenCache(options.cache);
  const checkClaims = createClaimsCheck({
    issuer: options.issuer,
    audience: options.audience === null ? null : [options.audience].flat(),
    clockTolerance,
    requiredClaims: [...new Set(["exp", ...(options.requiredClaims ?? ["sub"])])],
    typ: options.typ,
  });
  const isCurrent = (kid: string, handle: object) => keys.isCurrent(kid, handle);
  const revocations = options.revocations;
  if (revocations !== undefined && typeof revocations.isRevoked !== "function") {
    throw new TypeError(`${who}: revocations must have an isRevoked method`);
  }

  async function verifyUncached(token: string): Promise<Principal> {
    const { header, payloadText, signingInput, signature } = inspect(token);
    const resolved = keys.resolve(header);
    const key = "then" in resolved ? await resolved : resolved; // no extra tick for a local key
    if (!key.check(signingInput, signature)) throw new Unauthorized("Token signature is invalid");
    const at = now();
    const payload = checkClaims(header, payloadText, at);
    if (revocations?.isRevoked(payload)) throw revoked();
    if (cache === null) return principalOf(payload, toPrincipal);
    // A cached principal is served to every later request with this token: nobody may change it.
    const principal = deepFreeze(principalOf(payload, toPrincipal));
    cache.set(token, { principal, expiresAt: (payload.exp as number) * 1000, kid: header.kid, key: key.handle }, at);
    return principal;
  }

  return {
    verify(token) {
      if (cache !== null) {
        const hit = cache.get(token, now(), isCurrent);
        if (hit !== undefined) {
          // A cached token stays cached after its sign-in is revoked: the list, not the cache, decides.
          return revocations?.isRevoked(hit.claims) ? Promise.reject(revoked()) : Promise.resolve(hit);
        }
      }
      return verifyUncached(token);
    },
  };
}

const revoked = () => new Unauthorized("Token has been revoked");

function principalOf(claims: JWTPayload, toPrincipal: (claims: JWTPayload) => Principal): Principal {
  try {
    return toPrincipal(claims);
  } catch (error) {
    if (isAuthError(error)) throw error;
    if (error instanceof InvalidScopeError) {
      throw new Unauthorized("Token scope claim is malformed: expected space-delimited resource:action scopes", {
        cause: error,
      });
    }
    throw new Unauthorized("Token claims are invalid", { cause: error });
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
