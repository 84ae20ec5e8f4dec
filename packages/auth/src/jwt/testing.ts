/**
 * Test-only helpers (not exported by the package): raw tokens built byte by byte, so the
 * attack tests can forge exactly what an attacker would send.
 */
import { createHmac, createPrivateKey, sign } from "node:crypto";
import type { JWK } from "jose";

export const b64url = (text: string | Uint8Array): string => Buffer.from(text).toString("base64url");

/** `header.payload` from JSON values, or from raw JSON text (to write duplicate names). */
export function signingInput(header: object | string, payload: object | string): string {
  const text = (part: object | string) => (typeof part === "string" ? part : JSON.stringify(part));
  return `${b64url(text(header))}.${b64url(text(payload))}`;
}

/** Signs with node:crypto, not jose: the forger must not be the library under test. */
export function forge(
  header: object | string,
  payload: object | string,
  key: { jwk: JWK } | { secret: string | Uint8Array },
): string {
  const input = signingInput(header, payload);
  if ("secret" in key) return `${input}.${createHmac("sha256", key.secret).update(input).digest("base64url")}`;
  const privateKey = createPrivateKey({ key: key.jwk as import("node:crypto").JsonWebKey, format: "jwk" });
  const alg = key.jwk.alg;
  const signature =
    alg === "EdDSA"
      ? sign(null, Buffer.from(input), privateKey)
      : sign("sha256", Buffer.from(input), {
          key: privateKey,
          ...(alg === "ES256" ? { dsaEncoding: "ieee-p1363" as const } : {}),
          ...(alg === "PS256" ? { padding: 6, saltLength: 32 } : {}),
        });
  return `${input}.${signature.toString("base64url")}`;
}
