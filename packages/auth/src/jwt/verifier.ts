/** Verifies tokens signed by our own key set (see `key-set.ts`). */
import { Unauthorized } from "../errors";
import { createTokenVerifier, type TokenVerifyOptions } from "../lib/token-verifier";
import type { Verifier } from "../verifier";
import { type JwtAlgorithm, type KeySetSource, keySetGetter, SUPPORTED_ALGORITHMS } from "./key-set";
import { defaultPrincipal } from "./principal-from-claims";

export interface JwtVerifierOptions extends TokenVerifyOptions<JwtAlgorithm> {
  /** The keys we accept (or a getter, for rotation). A token's `kid` must name one, with the same `alg`. */
  keySet: KeySetSource;
}

/**
 * A `Verifier` for our own tokens. Refuses, with 401: an `alg` outside `algorithms` (and
 * `none` always), an unknown `kid`, a `kid` whose key has another `alg` (key confusion),
 * `jku`/`x5u`/`x5c`/`jwk`/`crit` headers, duplicate JSON names, oversized tokens, a bad
 * signature, missing or past `exp`, future `nbf`, wrong `iss`/`aud`, malformed scopes.
 * Verified tokens are cached until their `exp` (see `cache`), and only while their key is
 * still in the set.
 */
export function createJwtVerifier(options: JwtVerifierOptions): Verifier {
  for (const alg of options.algorithms ?? []) {
    if (!SUPPORTED_ALGORITHMS.includes(alg)) throw new TypeError(`createJwtVerifier: unsupported algorithm ${alg}`);
  }
  if (!options.keySet) throw new TypeError("createJwtVerifier: keySet is required");
  const keySet = keySetGetter(options.keySet);
  return createTokenVerifier(
    "createJwtVerifier",
    options,
    { toPrincipal: defaultPrincipal },
    {
      resolve(header) {
        const key = keySet().get(header.kid);
        if (!key) throw new Unauthorized("Token signed with an unknown key");
        // An HS256 token naming an RS256 key's kid is the classic key-confusion attack.
        if (key.alg !== header.alg) throw new Unauthorized("Token algorithm does not match its key");
        return { check: key.checkSignature, handle: key };
      },
      isCurrent: (kid, handle) => keySet().get(kid) === handle,
    },
  );
}
