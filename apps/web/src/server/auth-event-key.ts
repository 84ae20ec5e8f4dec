/**
 * The key that signs the security log's head and checkpoint (see @gatehouse/db/auth-event-chain):
 * HMAC-SHA-256 under a key derived with HKDF from the signing keys' private parts (`AUTH_JWKS`,
 * or the development `.data/jwks.json`), like ./refresh-token-key.ts, so the database never holds
 * it and there is no new secret to configure. The current key signs; every key in the set still
 * verifies, so making another key current does not fail `events verify` until the old one is
 * removed (by then the next append and prune have re-signed head and checkpoint).
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { PrivateJwks } from "@gatehouse/auth/jwt";
import type { Env } from "~/env";
import { loadPrivateJwks } from "./keys";

const INFO = "gatehouse auth_events chain v1";

export interface ChainKey {
  /** Hex HMAC of `message` under the current key. */
  sign(message: string): string;
  /** Whether `signature` is `message`'s HMAC under any key of the set. */
  isSigned(message: string, signature: string): boolean;
}

export async function loadChainKey(config: Env): Promise<ChainKey> {
  return chainKeyFrom(await loadPrivateJwks(config));
}

export function chainKeyFrom(jwks: PrivateJwks): ChainKey {
  // The same order `importKeySet` uses: the first key that can sign is current.
  const secrets = jwks.keys
    .map((key) => key.d ?? (key.alg === "HS256" ? key.k : undefined))
    .filter((secret): secret is string => Boolean(secret))
    .map((secret) => Buffer.from(hkdfSync("sha256", Buffer.from(secret, "base64url"), new Uint8Array(0), INFO, 32)));
  const [current] = secrets;
  if (!current) throw new TypeError("The key set has no private key to derive the security log's key from");
  const hmac = (key: Buffer, message: string) => createHmac("sha256", key).update(message).digest();
  return {
    sign: (message) => hmac(current, message).toString("hex"),
    isSigned(message, signature) {
      const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, "hex") : null;
      return given !== null && secrets.some((key) => timingSafeEqual(hmac(key, message), given));
    },
  };
}
