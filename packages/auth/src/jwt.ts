/**
 * `@gatehouse/auth/jwt`: issue and verify our own tokens on jose, with keys imported once.
 * Remote issuers (Auth0, Keycloak, any OIDC) live in `@gatehouse/auth/jwt/remote`.
 */

export { type AccessTokenResponse, createJwtIssuer, type JwtIssuer, type JwtIssuerOptions } from "./jwt/issuer";
export {
  generateJwk,
  importKeySet,
  type JwtAlgorithm,
  type JwtKey,
  type KeySet,
  type KeySetSource,
  type PrivateJwks,
  publicJwks,
  SUPPORTED_ALGORITHMS,
} from "./jwt/key-set";
export {
  createPrincipalMapper,
  defaultPrincipal,
  foreignPrincipal,
  OIDC_STANDARD_SCOPES,
  type PrincipalMapping,
} from "./jwt/principal-from-claims";
export { createJwtVerifier, type JwtVerifierOptions } from "./jwt/verifier";
export type { CacheOptions, TokenVerifyOptions } from "./lib/token-verifier";
