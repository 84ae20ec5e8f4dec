/**
 * JWT issue and verify on jose, with keys imported once.
 *
 * A key set holds every key we accept (each with a unique `kid`) and one current signing
 * key. Rotation: add the new key as current, keep the old one for verification until
 * the tokens it signed have expired, then remove it.
 */
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { Unauthorized } from "./errors";
import type { Principal, PrincipalKind } from "./principal";
import { parseScopeList } from "./scopes";
import type { Verifier } from "./verifier";

export type JwtAlgorithm = "ES256" | "RS256" | "PS256" | "EdDSA" | "HS256";
export const SUPPORTED_ALGORITHMS: readonly JwtAlgorithm[] = ["ES256", "RS256", "PS256", "EdDSA", "HS256"];

export interface JwtKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** Present for keys we can sign with (the private half, or the secret for HS256). */
  readonly signingKey: CryptoKey | undefined;
  readonly verificationKey: CryptoKey;
  /** The public JWK; `undefined` for symmetric keys, which are never published. */
  readonly publicJwk: JWK | undefined;
}

export interface KeySet {
  readonly current: JwtKey;
  readonly keys: readonly JwtKey[];
  get(kid: string): JwtKey | undefined;
}

/** A private JWKS document, as kept in `.data/` or the `AUTH_JWKS` variable. */
export interface PrivateJwks {
  keys: JWK[];
}

/** Generates one key as a private JWK with `kid` (its RFC 7638 thumbprint) and `alg`. */
export async function generateJwk(alg: JwtAlgorithm = "ES256"): Promise<JWK> {
  const jwk =
    alg === "HS256"
      ? await exportJWK(await generateSecret("HS256", { extractable: true }))
      : await exportJWK(
          (await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) }))
            .privateKey,
        );
  return { ...jwk, alg, kid: await calculateJwkThumbprint(jwk), use: "sig" };
}

/**
 * Imports a private JWKS once into a key set. The first key that can sign is current,
 * unless `currentKid` names another. Keys must carry distinct `kid`s and a supported `alg`.
 */
export async function importKeySet(jwks: PrivateJwks, options: { currentKid?: string } = {}): Promise<KeySet> {
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new TypeError("Key set has no keys");
  const keys: JwtKey[] = [];
  const byKid = new Map<string, JwtKey>();
  for (const jwk of jwks.keys) {
    const key = await importOne(jwk);
    if (byKid.has(key.kid)) throw new TypeError(`Duplicate kid in key set: ${key.kid}`);
    byKid.set(key.kid, key);
    keys.push(key);
  }
  const current = options.currentKid ? byKid.get(options.currentKid) : keys.find((k) => k.signingKey);
  if (!current?.signingKey) throw new TypeError("Key set has no current signing key");
  return { current, keys, get: (kid) => byKid.get(kid) };
}

async function importOne(jwk: JWK): Promise<JwtKey> {
  const alg = jwk.alg as JwtAlgorithm;
  if (!SUPPORTED_ALGORITHMS.includes(alg)) throw new TypeError(`Unsupported or missing alg on key: ${jwk.alg}`);
  if (!jwk.kid) throw new TypeError("Every key needs a kid");
  if (alg === "HS256") {
    const secret = (await importJWK(jwk, alg, { extractable: false })) as CryptoKey;
    return { kid: jwk.kid, alg, signingKey: secret, verificationKey: secret, publicJwk: undefined };
  }
  const publicJwk = toPublicJwk(jwk);
  const verificationKey = (await importJWK(publicJwk, alg)) as CryptoKey;
  const signingKey = jwk.d ? ((await importJWK(jwk, alg, { extractable: false })) as CryptoKey) : undefined;
  return { kid: jwk.kid, alg, signingKey, verificationKey, publicJwk };
}

const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use"] as const;

function toPublicJwk(jwk: JWK): JWK {
  const out: JWK = {};
  for (const member of PUBLIC_MEMBERS) if (jwk[member] !== undefined) out[member] = jwk[member] as string;
  return out;
}

/** The public half of every asymmetric key, for `/.well-known/jwks.json`. Never `d`, `p`, `q`, `k`… */
export function publicJwks(keySet: KeySet): { keys: JWK[] } {
  return { keys: keySet.keys.flatMap((key) => (key.publicJwk ? [{ ...key.publicJwk }] : [])) };
}

export interface JwtIssuerOptions {
  keySet: KeySet;
  /** `iss` of every token; must equal the discovery document's `issuer` exactly. */
  issuer: string;
  /** `aud` of every token, when set. */
  audience?: string | undefined;
  /** Lifetime in seconds when the caller gives none. Default: 900 (15 minutes). */
  defaultExpiresIn?: number;
  /** Clock, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface AccessTokenResponse {
  token_type: "Bearer";
  access_token: string;
  /** Seconds; always `exp − iat` of the token. */
  expires_in: number;
}

export interface JwtIssuer {
  createAccessToken(claims: JWTPayload, options?: { expiresIn?: number }): Promise<AccessTokenResponse>;
}

export function createJwtIssuer(options: JwtIssuerOptions): JwtIssuer {
  const { keySet, issuer, audience } = options;
  const defaultExpiresIn = options.defaultExpiresIn ?? 900;
  const now = options.now ?? Date.now;
  if (!issuer) throw new TypeError("createJwtIssuer: issuer is required");
  if (!(defaultExpiresIn > 0)) throw new TypeError("createJwtIssuer: defaultExpiresIn must be positive");
  return {
    async createAccessToken(claims, { expiresIn = defaultExpiresIn } = {}) {
      const key = keySet.current;
      const iat = claims.iat ?? Math.floor(now() / 1000);
      // Explicit claims win over the defaults we fill in.
      const payload: JWTPayload = {
        iss: issuer,
        ...(audience ? { aud: audience } : {}),
        jti: crypto.randomUUID(),
        ...claims,
        iat,
        exp: claims.exp ?? iat + expiresIn,
      };
      const exp = payload.exp as number;
      if (!(exp > iat)) throw new TypeError("createAccessToken: exp must be after iat");
      const header: JWTHeaderParameters = { alg: key.alg, kid: key.kid, typ: "at+jwt" };
      const access_token = await new SignJWT(payload).setProtectedHeader(header).sign(key.signingKey as CryptoKey);
      return { token_type: "Bearer", access_token, expires_in: exp - iat };
    },
  };
}

export interface JwtVerifierOptions {
  keySet: KeySet;
  /** Accepted algorithms; no default on purpose (an `alg` outside the list is a 401). */
  algorithms: readonly JwtAlgorithm[];
  issuer: string;
  /** Expected `aud`; `null` to accept tokens without audience checking. */
  audience: string | null;
  /** Seconds of leeway for `exp`/`nbf`. Default: 5. */
  clockTolerance?: number;
  /** Claims that must be present besides `exp`. Default: `["sub"]`. */
  requiredClaims?: readonly string[];
  /** Builds the principal from verified claims. Default: `defaultPrincipal`. */
  toPrincipal?: (claims: JWTPayload) => Principal;
  now?: () => number;
}

/** `sub` as subject, `kind` from the `kind` claim (default `user`), scopes from `scope` or `scp`. */
export function defaultPrincipal(claims: JWTPayload): Principal {
  const kind: PrincipalKind = claims.kind === "service" || claims.kind === "api_key" ? claims.kind : "user";
  const scopes = parseScopeList(claims.scope ?? claims.scp);
  return { subject: String(claims.sub), kind, scopes, claims };
}

export function createJwtVerifier(options: JwtVerifierOptions): Verifier {
  const { keySet, issuer, audience } = options;
  const algorithms = [...options.algorithms];
  if (algorithms.length === 0) throw new TypeError("createJwtVerifier: algorithms must not be empty");
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(alg)) throw new TypeError(`createJwtVerifier: unsupported algorithm ${alg}`);
  }
  const requiredClaims = [...new Set(["exp", ...(options.requiredClaims ?? ["sub"])])];
  const toPrincipal = options.toPrincipal ?? defaultPrincipal;
  const clockTolerance = options.clockTolerance ?? 5;
  const now = options.now;

  const getKey = (header: JWTHeaderParameters): CryptoKey => {
    const key = header.kid ? keySet.get(header.kid) : undefined;
    if (!key || key.alg !== header.alg) throw new Unauthorized("Token signed with an unknown key");
    return key.verificationKey;
  };

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          algorithms,
          issuer,
          ...(audience === null ? {} : { audience }),
          clockTolerance,
          requiredClaims,
          ...(now ? { currentDate: new Date(now()) } : {}),
        });
        return toPrincipal(payload);
      } catch (error) {
        if (error instanceof Unauthorized) throw error;
        throw new Unauthorized("Invalid or expired token", { cause: error });
      }
    },
  };
}
