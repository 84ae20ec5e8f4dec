/**
 * A Verifier turns a raw credential into a Principal or throws `Unauthorized`.
 * An Authenticator tries (scheme, verifier) pairs in order: the first scheme that finds a
 * credential decides. A present-but-bad credential is a 401 — never a fall-through to the
 * next scheme or to anonymous.
 */
import { AuthError, Unauthorized } from "./errors";
import type { Principal } from "./principal";
import { type HeaderSource, headersOf, type Scheme } from "./scheme";

export interface Verifier {
  verify(credential: string): Promise<Principal>;
}

export interface AuthPair {
  scheme: Scheme;
  verifier: Verifier;
}

export interface Authenticator {
  /** The principal, `null` when no scheme found a credential; throws `AuthError` otherwise. */
  authenticate(source: HeaderSource): Promise<Principal | null>;
  /** `Unauthorized` for a request that had no credential, with every scheme's challenge. */
  required(): Unauthorized;
}

export function createAuthenticator(pairs: readonly AuthPair[]): Authenticator {
  if (pairs.length === 0) throw new TypeError("createAuthenticator needs at least one (scheme, verifier) pair");
  const list = [...pairs];
  const challengeFor = (error?: string, errorDescription?: string) =>
    [...new Set(list.map(({ scheme }) => scheme.challenge({ error, errorDescription })).filter(Boolean))].join(", ");

  const withChallenge = (error: Unauthorized) => {
    const header = challengeFor(error.code, error.detail);
    return header ? error.withChallenge(header) : error;
  };

  return {
    async authenticate(source) {
      const headers = headersOf(source);
      for (const { scheme, verifier } of list) {
        let credential: string | null;
        try {
          credential = await scheme.extract(headers);
        } catch (error) {
          throw error instanceof Unauthorized ? withChallenge(error) : error;
        }
        if (credential === null) continue;
        try {
          return await verifier.verify(credential);
        } catch (error) {
          if (error instanceof Unauthorized) throw withChallenge(error);
          if (error instanceof AuthError) throw error;
          // A verifier bug must not become "anonymous": refuse, keep the cause for logs.
          throw withChallenge(new Unauthorized("Invalid credential", { cause: error }));
        }
      }
      return null;
    },
    required() {
      const header = challengeFor();
      const error = new Unauthorized("Authentication required");
      return header ? error.withChallenge(header) : error;
    },
  };
}
