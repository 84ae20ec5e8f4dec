/**
 * The access tokens an instance must refuse before their `exp`: those of a revoked sign-in
 * (the `sid` claim, a refresh family), of a revoked API key (`key_id`, client-credentials
 * tokens), one token revoked by itself (`jti`, RFC 7009 at the revocation endpoint), and those
 * a user got before a cut-off (`sub`, by issue time: sign out everywhere, password changed,
 * account disabled, scopes lowered). Framework-free: the app fills it from its table and a
 * pub/sub channel; the verifier asks it on every verify, cached or not, so it is a few Map lookups.
 */

export type RevocationKind = "family" | "key" | "user" | "token";

/**
 * Issue time in milliseconds, which our issuer adds beside `iat` (whole seconds): a user
 * cut-off then refuses exactly the tokens issued before it, and a token issued later in the
 * same second (the fresh session after a password change) is accepted.
 */
export const ISSUED_AT_MS_CLAIM = "iat_ms";

export interface Revocation {
  kind: RevocationKind;
  /** The family id, key id or user id. */
  subject: string;
  /**
   * Milliseconds since the epoch. For a user: tokens issued at or before this instant are
   * refused (by `iat_ms`; a token without it, by `iat`: the whole second is refused).
   */
  revokedAt: number;
}

/** What the verifier needs: one synchronous question per token. */
export interface RevocationCheck {
  isRevoked(claims: Readonly<Record<string, unknown>>): boolean;
}

export const REVOCATION_KINDS: readonly RevocationKind[] = ["family", "key", "user", "token"];

export class RevocationList implements RevocationCheck {
  // Subject → revokedAt (ms). One map per kind, so a token is four lookups at most, and none when empty.
  readonly #families = new Map<string, number>();
  readonly #keys = new Map<string, number>();
  readonly #tokens = new Map<string, number>();
  /** User → latest cut-off (ms). */
  readonly #users = new Map<string, number>();

  get size(): number {
    return this.#families.size + this.#keys.size + this.#tokens.size + this.#users.size;
  }

  /** Records a revocation; a later cut-off for a user replaces an earlier one, never the reverse. */
  add(revocation: Revocation): void {
    const { kind, subject, revokedAt } = revocation;
    if (typeof subject !== "string" || subject === "") throw new TypeError("RevocationList: subject is required");
    if (!Number.isFinite(revokedAt)) throw new TypeError("RevocationList: revokedAt must be a number of ms");
    const map = this.#mapOf(kind);
    const known = map.get(subject);
    if (known === undefined || revokedAt > known) map.set(subject, revokedAt);
  }

  /** Empties the list and fills it with `revocations` (a reload after missed notices). */
  replace(revocations: Iterable<Revocation>): void {
    const next = new RevocationList();
    for (const revocation of revocations) next.add(revocation);
    for (const kind of REVOCATION_KINDS) {
      const map = this.#mapOf(kind);
      map.clear();
      for (const [subject, at] of next.#mapOf(kind)) map.set(subject, at);
    }
  }

  /** Drops entries older than `before` (ms): no token they could refuse is still unexpired. */
  forgetBefore(before: number): void {
    for (const kind of REVOCATION_KINDS) {
      const map = this.#mapOf(kind);
      for (const [subject, at] of map) if (at < before) map.delete(subject);
    }
  }

  isRevoked(claims: Readonly<Record<string, unknown>>): boolean {
    if (this.#families.size > 0 && typeof claims.sid === "string" && this.#families.has(claims.sid)) return true;
    if (this.#keys.size > 0 && typeof claims.key_id === "string" && this.#keys.has(claims.key_id)) return true;
    if (this.#tokens.size > 0 && typeof claims.jti === "string" && this.#tokens.has(claims.jti)) return true;
    if (this.#users.size > 0 && typeof claims.sub === "string") {
      const cutoff = this.#users.get(claims.sub);
      if (cutoff !== undefined) return issuedAtOrBefore(claims, cutoff);
    }
    return false;
  }

  #mapOf(kind: RevocationKind): Map<string, number> {
    if (kind === "family") return this.#families;
    if (kind === "key") return this.#keys;
    if (kind === "user") return this.#users;
    if (kind === "token") return this.#tokens;
    throw new TypeError(`RevocationList: unknown kind ${String(kind)}`);
  }
}

/**
 * Was the token issued at or before `cutoff` (ms)? By `iat_ms` when it agrees with `iat`; else
 * by `iat`, refusing the cut-off's whole second (a token of that second may predate it). No
 * usable `iat`: we cannot show the token is newer, so it counts as older.
 */
function issuedAtOrBefore(claims: Readonly<Record<string, unknown>>, cutoff: number): boolean {
  const { iat } = claims;
  if (typeof iat !== "number") return true;
  const ms = claims[ISSUED_AT_MS_CLAIM];
  if (typeof ms === "number" && Math.floor(ms / 1000) === iat) return ms <= cutoff;
  return iat <= Math.floor(cutoff / 1000);
}
