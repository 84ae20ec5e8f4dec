/**
 * JWS signature checks on node:crypto `KeyObject`s, synchronous. jose verifies through
 * WebCrypto, whose promise costs 2–3× the signature itself and queues on libuv's thread
 * pool behind argon2 (issue #12 §2); `crypto.verify` runs the same OpenSSL call inline.
 * The parameters are jose's (RFC 7518 §3): ES256 signatures are the raw 64-byte `r‖s`
 * (ieee-p1363), PS256 uses a 32-byte salt, RSA keys under 2048 bits are refused.
 */
import {
  constants,
  createHmac,
  createSecretKey,
  type KeyObject,
  KeyObject as NodeKeyObject,
  timingSafeEqual,
  verify,
} from "node:crypto";
import type { CryptoKey } from "jose";

/** True when `signature` signs `signingInput` (`header.payload`, ASCII) with the key it was made for. */
export type SignatureCheck = (signingInput: Buffer, signature: Buffer) => boolean;

const MIN_RSA_BITS = 2048;

/**
 * Converts a key imported by jose (once, at key-set or JWKS import; jose gives an HMAC secret
 * as bytes) into a check for `alg`. Throws `TypeError` for a key that cannot verify `alg`
 * (wrong type, RSA under 2048 bits).
 */
export function createSignatureCheck(alg: string, imported: CryptoKey | Uint8Array): SignatureCheck {
  const key =
    imported instanceof Uint8Array
      ? createSecretKey(imported)
      : NodeKeyObject.from(imported as unknown as Parameters<typeof NodeKeyObject.from>[0]);
  switch (alg) {
    case "HS256":
      requireType(key, "secret", alg);
      return (input, signature) => {
        const mac = createHmac("sha256", key).update(input).digest();
        return signature.length === mac.length && timingSafeEqual(mac, signature);
      };
    case "ES256": {
      requireType(key, "ec", alg);
      if (key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new TypeError("ES256 needs a P-256 key");
      const options = { key, dsaEncoding: "ieee-p1363" } as const;
      return (input, signature) => safely(() => verify("sha256", input, options, signature));
    }
    case "EdDSA":
      requireType(key, "ed25519", alg);
      return (input, signature) => safely(() => verify(null, input, key, signature));
    case "RS256":
      requireRsa(key, alg);
      return (input, signature) => safely(() => verify("sha256", input, key, signature));
    case "PS256": {
      requireRsa(key, alg);
      const options = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      return (input, signature) => safely(() => verify("sha256", input, options, signature));
    }
    default:
      throw new TypeError(`Unsupported algorithm ${alg}`);
  }
}

function requireType(key: KeyObject, type: string, alg: string): void {
  const actual = key.type === "secret" ? "secret" : key.asymmetricKeyType;
  if (actual !== type || key.type === "private") throw new TypeError(`${alg} needs a ${type} verification key`);
}

function requireRsa(key: KeyObject, alg: string): void {
  if (key.type !== "public" || (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "rsa-pss")) {
    throw new TypeError(`${alg} needs an RSA public key`);
  }
  // The same floor jose enforces at verify time (RFC 7518 §3.3).
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new TypeError(`${alg} keys must be ${MIN_RSA_BITS} bits or larger`);
  }
}

// A malformed signature (wrong length, bad DER) is a failed check, as in WebCrypto.
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
