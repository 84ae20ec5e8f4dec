/**
 * The secret under which refresh-token successors are derived (`successorKey` of
 * @gatehouse/auth/refresh-token), so a retry within the grace window gets the same successor
 * on every instance. Derived with HKDF-SHA-256 from the current signing key's private part
 * (`AUTH_JWKS`, or the development `.data/jwks.json`) rather than a new required secret:
 * every instance already shares it, and whoever holds it can sign access tokens anyway, so
 * it guards nothing weaker. The `info` label keeps the derived key unrelated to the
 * signing key. Making another key current changes it: a retry in flight across that
 * deploy is refused (`invalid_grant`, the family stays live), nothing else.
 */
import { hkdfSync } from "node:crypto";
import type { PrivateJwks } from "@gatehouse/auth/jwt";
import type { Env } from "~/env";
import { loadPrivateJwks } from "./keys";

const INFO = "gatehouse refresh-token successor v1";

export async function loadRefreshTokenKey(config: Env): Promise<Uint8Array> {
  return deriveRefreshTokenKey(await loadPrivateJwks(config));
}

/** HKDF-SHA-256 of the first signing key's private member (`d`, or `k` for HS256): 32 bytes. */
export function deriveRefreshTokenKey(jwks: PrivateJwks): Uint8Array {
  // The same key `importKeySet` makes current: the first one that can sign.
  const secret = jwks.keys.map((key) => key.d ?? (key.alg === "HS256" ? key.k : undefined)).find(Boolean);
  if (!secret) throw new TypeError("The key set has no private key to derive the refresh-token key from");
  return new Uint8Array(hkdfSync("sha256", Buffer.from(secret, "base64url"), new Uint8Array(0), INFO, 32));
}
