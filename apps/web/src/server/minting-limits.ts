/**
 * What the calling credential may hand on to an API key it mints (#10 §2: a credential never
 * creates a credential wider or longer-lived than itself). The keys page, a bearer token and a
 * key all reach `apiKeys.create`; this says, from the principal alone, how far each may go.
 */
import { Forbidden } from "@gatehouse/auth/errors";
import type { Principal } from "@gatehouse/auth/principal";
import { FIRST_PARTY_CLIENT_ID } from "./first-party-client";

export interface MintingLimits {
  /** The new key's scopes must each be satisfied by these (by the app's validator). */
  scopes: readonly string[];
  /** The new key may not expire after this; `null` = no limit from the credential. */
  notAfter: Date | null;
  /** The minting key's id when a key mints: the child is revoked with it. */
  parentKeyId: string | null;
}

/**
 * - A user sign-in (the session cookie, a password-grant token): its own scopes, no expiry
 *   limit (it renews itself through its refresh token until signed out; the key's own default
 *   lifetime still applies).
 * - An API key: its effective scopes, it expires no later than the key (its `exp` claim), and
 *   it is revoked with the key (its `key_id`): a stolen key's children do not outlive it.
 * - A client-credentials token (its `client_id` is a key's, not our first-party client) or any
 *   `service` principal: refused.
 *   It is a short-lived derivative of a key; a key minted from it would outlive it.
 */
export function mintingLimits(principal: Principal): MintingLimits {
  if (isClientCredentialsToken(principal)) throw new Forbidden("A client-credentials token cannot create API keys");
  const exp = principal.claims.exp;
  if (principal.kind === "api_key") {
    // An API key without `exp` never expires; any other number is the key's expiry (seconds).
    const keyId = principal.claims.key_id;
    return {
      scopes: principal.scopes,
      notAfter: typeof exp === "number" ? new Date(exp * 1000) : null,
      parentKeyId: typeof keyId === "string" ? keyId : null,
    };
  }
  return { scopes: principal.scopes, notAfter: null, parentKeyId: null };
}

/** A token a client got for itself (the client_credentials grant names the key as `client_id`), or a service. */
export function isClientCredentialsToken(principal: Principal): boolean {
  const clientId = principal.claims.client_id;
  return (clientId !== undefined && clientId !== FIRST_PARTY_CLIENT_ID) || principal.kind === "service";
}
