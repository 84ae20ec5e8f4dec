/** Issues access tokens signed with the key set's current key. */
import { type CryptoKey, type JWTHeaderParameters, type JWTPayload, SignJWT } from "jose";
import { ISSUED_AT_MS_CLAIM } from "../revocation-list";
import { type KeySetSource, keySetGetter } from "./key-set";

export interface JwtIssuerOptions {
  /** The key set (or a getter, for rotation); tokens are signed with its `current` key. */
  keySet: KeySetSource;
  /** `iss` of every token; must equal the discovery document's `issuer` exactly. */
  issuer: string;
  /** `aud` of every token, when set (RFC 9068 §2.2 requires one: the resource server the token is for). */
  audience?: string | undefined;
  /**
   * `client_id` of every token the caller gives none (RFC 9068 §2.2: the client the token was
   * issued to), e.g. the app's own first-party client for a user sign-in. Default: not set.
   */
  clientId?: string | undefined;
  /** Lifetime in seconds when the caller gives none. Default: 900 (15 minutes). */
  defaultExpiresIn?: number;
  /** Clock in milliseconds, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface AccessTokenResponse {
  token_type: "Bearer";
  access_token: string;
  /** Seconds; always `exp − iat` of the token. */
  expires_in: number;
}

export interface JwtIssuer {
  /**
   * Signs `claims` after filling `iss`, `aud`, `client_id`, `jti`, `iat`, `iat_ms` (the same instant in ms;
   * only when `iat` is not given) and `exp` (`iat + expiresIn`);
   * a claim the caller sets explicitly wins. Header: `alg`, `kid`, `typ: "at+jwt"` (RFC 9068).
   * `notAfter` (NumericDate) caps `exp`: a token derived from a credential that expires must
   * not outlive it.
   */
  createAccessToken(claims: JWTPayload, options?: AccessTokenOptions): Promise<AccessTokenResponse>;
}

export interface AccessTokenOptions {
  /** Seconds from `iat`. Default: the issuer's `defaultExpiresIn`. */
  expiresIn?: number;
  /** Latest `exp` allowed (seconds since the epoch): `exp = min(iat + expiresIn, notAfter)`. */
  notAfter?: number;
}

export function createJwtIssuer(options: JwtIssuerOptions): JwtIssuer {
  const { issuer, audience, clientId } = options;
  const keySet = keySetGetter(options.keySet);
  const defaultExpiresIn = options.defaultExpiresIn ?? 900;
  const now = options.now ?? Date.now;
  if (!issuer) throw new TypeError("createJwtIssuer: issuer is required");
  if (!isPositiveInteger(defaultExpiresIn))
    throw new TypeError("createJwtIssuer: defaultExpiresIn must be a positive integer");
  return {
    async createAccessToken(claims, { expiresIn = defaultExpiresIn, notAfter } = {}) {
      if (!isPositiveInteger(expiresIn)) throw new TypeError("createAccessToken: expiresIn must be a positive integer");
      const key = keySet().current;
      const issuedAt = now();
      const iat = claims.iat ?? Math.floor(issuedAt / 1000);
      // Explicit claims win over the defaults we fill in.
      const payload: JWTPayload = {
        iss: issuer,
        ...(audience ? { aud: audience } : {}),
        ...(clientId ? { client_id: clientId } : {}),
        jti: crypto.randomUUID(),
        ...claims,
        iat,
        // Finer than `iat`, so a user cut-off in this same second refuses only earlier tokens (revocation-list.ts).
        ...(claims.iat === undefined ? { [ISSUED_AT_MS_CLAIM]: issuedAt } : {}),
        exp: Math.min(claims.exp ?? iat + expiresIn, notAfter ?? Number.POSITIVE_INFINITY),
      };
      const exp = payload.exp as number;
      if (!Number.isFinite(iat) || !Number.isFinite(exp) || !(exp > iat)) {
        throw new TypeError("createAccessToken: exp must be a number after iat");
      }
      const header: JWTHeaderParameters = { alg: key.alg, kid: key.kid, typ: "at+jwt" };
      const access_token = await new SignJWT(payload).setProtectedHeader(header).sign(key.signingKey as CryptoKey);
      return { token_type: "Bearer", access_token, expires_in: exp - iat };
    },
  };
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}
