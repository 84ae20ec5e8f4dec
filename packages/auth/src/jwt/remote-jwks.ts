/**
 * Verifies tokens of an external OIDC issuer (Auth0, Keycloak, Cognito, …) against its
 * published JWKS. See `presets.ts` for ready-made configurations.
 */

import { RemoteKeyStore } from "../lib/remote-key-store";
import { createTokenVerifier, type TokenVerifyOptions } from "../lib/token-verifier";
import type { Verifier } from "../verifier";
import { type JwtAlgorithm, SUPPORTED_ALGORITHMS } from "./key-set";
import { foreignPrincipal } from "./principal-from-claims";

/** Remote issuers sign asymmetrically; a shared secret has no place in a public JWKS. */
export type RemoteJwtAlgorithm = Exclude<JwtAlgorithm, "HS256">;
const REMOTE_ALGORITHMS: readonly string[] = SUPPORTED_ALGORITHMS.filter((alg) => alg !== "HS256");

export interface RemoteJwksVerifierOptions extends TokenVerifyOptions<RemoteJwtAlgorithm> {
  /** The JWKS URL. Default: `jwks_uri` of `{issuer}/.well-known/openid-configuration`. https only (loopback excepted). */
  jwksUri?: string;
  /** Injected fetch. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Bound on each discovery or JWKS request. Default: 5000 ms. */
  timeoutMs?: number;
  /** Least time between two fetches (an unknown `kid` waits this long for a refetch). Default: 30000 ms. */
  cooldownMs?: number;
  /** Keys older than this are refetched before use. Default: 600000 ms (10 minutes). */
  maxAgeMs?: number;
}

/**
 * The same contract as our own verifier, with keys from the issuer; an unreachable issuer is a
 * 503. Default `toPrincipal`: `foreignPrincipal` (OIDC scopes ignored, never a foreign `kind`).
 */
export type RemoteJwksVerifier = Verifier;

export function createRemoteJwksVerifier(options: RemoteJwksVerifierOptions): RemoteJwksVerifier {
  const who = "createRemoteJwksVerifier";
  for (const alg of options.algorithms ?? []) {
    if (!REMOTE_ALGORITHMS.includes(alg)) throw new TypeError(`${who}: unsupported algorithm ${alg}`);
  }
  const fetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = positive(options.timeoutMs ?? 5000, "timeoutMs");
  const cooldownMs = nonNegative(options.cooldownMs ?? 30_000, "cooldownMs");
  const maxAgeMs = positive(options.maxAgeMs ?? 600_000, "maxAgeMs");
  if (!options.issuer) throw new TypeError(`${who}: issuer is required`);
  const store = new RemoteKeyStore({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    fetch,
    now: options.now ?? Date.now,
    timeoutMs,
    cooldownMs,
    maxAgeMs,
  });
  return createTokenVerifier(who, options, { toPrincipal: foreignPrincipal }, store);

  function positive(value: number, name: string): number {
    if (!(value > 0)) throw new TypeError(`${who}: ${name} must be positive`);
    return value;
  }
  function nonNegative(value: number, name: string): number {
    if (!(value >= 0)) throw new TypeError(`${who}: ${name} must be >= 0`);
    return value;
  }
}
