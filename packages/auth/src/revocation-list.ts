/**
 * The access tokens an instance must refuse before their `exp`: those of a revoked sign-in
 * (the `sid` claim, a refresh family), of a revoked API key (`key_id`, client-credentials
 * tokens), and those a user got before a cut-off (`sub`, by `iat`: sign out everywhere, account
 * disabled, scopes lowered). Framework-free: the app fills it from its table and a pub/sub
 * channel; the verifier asks it on every verify, cached or not, so it is a few Map lookups.
 */

export type RevocationKind = "family" | "key" | "user";

export interface Revocation {
  kind: RevocationKind;
  /** The family id, key id or user id. */
  subject: string;
  /** Milliseconds since the epoch. For a user: tokens issued at or before this second are refused. */
  revokedAt: number;
}

/** What the verifier needs: one synchronous question per token. */
export interface RevocationCheck {
  isRevoked(claims: Readonly<Record<string, unknown>>): boolean;
}

export const REVOCATION_KINDS: readonly RevocationKind[] = ["family", "key", "user"];

export class RevocationList implements RevocationCheck {
  // Subject → revokedAt (ms). Three maps, so a token is three lookups at most, and none when empty.
  readonly #families = new Map<string, number>();
  readonly #keys = new Map<string, number>();
  /** User → latest cut-off, in whole seconds (`iat` is in seconds). */
  readonly #users = new Map<string, number>();

  get size(): number {
    return this.#families.size + this.#keys.size + this.#users.size;
  }

  /** Records a revocation; a later cut-off for a user replaces an earlier one, never the reverse. */
  add(revocation: Revocation): void {
    const { kind, subject, revokedAt } = revocation;
    if (typeof subject !== "string" || subject === "") throw new TypeError("RevocationList: subject is required");
    if (!Number.isFinite(revokedAt)) throw new TypeError("RevocationList: revokedAt must be a number of ms");
    const map = this.#mapOf(kind);
    // A token minted in the very second of the cut-off may predate it (iat is floored): refuse the whole second.
    const at = kind === "user" ? Math.floor(revokedAt / 1000) : revokedAt;
    const known = map.get(subject);
    if (known === undefined || at > known) map.set(subject, at);
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
      const limit = kind === "user" ? Math.floor(before / 1000) : before;
      const map = this.#mapOf(kind);
      for (const [subject, at] of map) if (at < limit) map.delete(subject);
    }
  }

  isRevoked(claims: Readonly<Record<string, unknown>>): boolean {
    if (this.#families.size > 0 && typeof claims.sid === "string" && this.#families.has(claims.sid)) return true;
    if (this.#keys.size > 0 && typeof claims.key_id === "string" && this.#keys.has(claims.key_id)) return true;
    if (this.#users.size > 0 && typeof claims.sub === "string") {
      const cutoff = this.#users.get(claims.sub);
      // No usable `iat` under a cut-off: we cannot show the token is newer, so it is refused.
      if (cutoff !== undefined) return !(typeof claims.iat === "number" && claims.iat > cutoff);
    }
    return false;
  }

  #mapOf(kind: RevocationKind): Map<string, number> {
    if (kind === "family") return this.#families;
    if (kind === "key") return this.#keys;
    if (kind === "user") return this.#users;
    throw new TypeError(`RevocationList: unknown kind ${String(kind)}`);
  }
}
