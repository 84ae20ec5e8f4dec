/**
 * A bounded LRU of tokens that passed every check, in front of the signature work (ES256 or
 * EdDSA on node:crypto is ~60–90 µs; a Map hit is ~1.5 µs). Keyed by the token string
 * itself: hashing it first would cost more than the lookup it saves.
 *
 * An entry never outlives the token's `exp`, and it remembers the key that verified it: a
 * hit is refused once that key has left the key set. Only successes are stored.
 */
import type { Principal } from "../principal";

export interface CacheOptions {
  /** Most tokens kept; the least recently used goes first. Default: 1000. */
  maxEntries?: number;
}

interface Entry {
  readonly principal: Principal;
  /** Milliseconds since the epoch at which the entry dies (the token's `exp`). */
  readonly expiresAt: number;
  readonly kid: string;
  /** The key object that verified the token; compared by identity on every hit. */
  readonly key: object;
}

export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;

  constructor(options: CacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError("cache.maxEntries must be a positive integer");
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached principal, if the entry is alive at `now` and `isCurrentKey` still holds its key. */
  get(token: string, now: number, isCurrentKey: (kid: string, key: object) => boolean): Principal | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt || !isCurrentKey(entry.kid, entry.key)) {
      this.#entries.delete(token);
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry.principal;
  }

  set(token: string, entry: Entry, now: number): void {
    if (!(entry.expiresAt > now)) return;
    this.#entries.delete(token);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, entry);
  }

  clear(): void {
    this.#entries.clear();
  }
}
