/**
 * Key sets: every key we accept (each with a unique `kid`), imported once into `CryptoKey`s
 * (jose signs with them) and node:crypto signature checks (the verifier uses those), and one
 * current signing key.
 *
 * Rotation without downtime: (1) add the new key, not yet current, so it is published in the
 * JWKS and remote verifiers cache it; (2) make it current (`currentKid`); (3) once the tokens
 * the old key signed have expired, remove the old key. Issuers and verifiers accept a getter
 * (`() => KeySet`) so a running process can swap sets between steps.
 */
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  type JWK,
} from "jose";
import { toPublicJwk } from "../lib/public-jwk";
import { createSignatureCheck, type SignatureCheck } from "../lib/signature-check";

export type JwtAlgorithm = "ES256" | "RS256" | "PS256" | "EdDSA" | "HS256";
export const SUPPORTED_ALGORITHMS: readonly JwtAlgorithm[] = ["ES256", "RS256", "PS256", "EdDSA", "HS256"];

export interface JwtKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** Present for keys we can sign with (the private half, or the secret for HS256). */
  readonly signingKey: CryptoKey | undefined;
  readonly verificationKey: CryptoKey;
  /** `verificationKey` as a synchronous node:crypto check, made once here (the verifier's hot path). */
  readonly checkSignature: SignatureCheck;
  /** The public JWK; `undefined` for symmetric keys, which are never published. */
  readonly publicJwk: JWK | undefined;
}

export interface KeySet {
  readonly current: JwtKey;
  readonly keys: readonly JwtKey[];
  get(kid: string): JwtKey | undefined;
}

/** A key set, or a getter for the one in force (read on every token, so keep it cheap). */
export type KeySetSource = KeySet | (() => KeySet);

export function keySetGetter(source: KeySetSource): () => KeySet {
  return typeof source === "function" ? source : () => source;
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
    const checkSignature = createSignatureCheck(alg, secret);
    return { kid: jwk.kid, alg, signingKey: secret, verificationKey: secret, checkSignature, publicJwk: undefined };
  }
  const publicJwk = toPublicJwk(jwk);
  const verificationKey = (await importJWK(publicJwk, alg)) as CryptoKey;
  const signingKey = jwk.d ? ((await importJWK(jwk, alg, { extractable: false })) as CryptoKey) : undefined;
  const checkSignature = createSignatureCheck(alg, verificationKey);
  return { kid: jwk.kid, alg, signingKey, verificationKey, checkSignature, publicJwk };
}

/** The public half of every asymmetric key, for `/.well-known/jwks.json`. Never `d`, `p`, `q`, `k`… */
export function publicJwks(keySet: KeySet): { keys: JWK[] } {
  return { keys: keySet.keys.flatMap((key) => (key.publicJwk ? [{ ...key.publicJwk }] : [])) };
}
