/**
 * Verifies API keys through a store port, with an in-process cache in front of it.
 *
 * Per request: format + checksum (no IO) → SHA-256 → cache → on a miss, one indexed lookup
 * (`store.findByHash`, owner joined in). Nothing is written on the verify path: uses are
 * collected and `store.touch(ids, at)` runs batched, at most once per `touchInterval` per key.
 *
 * Every refusal (malformed, wrong checksum, unknown, expired, revoked, owner disabled) is the
 * same 401 "Invalid API key", so the answer is no oracle for which keys exist. A store that
 * throws is a 503 and is not cached.
 *
 * Revocation: `invalidate(idOrHash)` drops a key from this process's cache at once, and
 * `invalidateOwner(userId)` every key of an owner whose scopes changed or who was disabled;
 * `subscribeToRevocations` wires both to a pub/sub channel (Postgres LISTEN/NOTIFY) so every
 * instance drops it. Notifications sent while the listener connection is down are lost, so
 * when it comes back the subscription `clear()`s the cache; if it never comes back, the
 * cache's fresh window (`cacheTtl`, 30 s) still bounds how long a revoked key keeps working.
 */

import { effectiveApiKeyScopes, hashApiKey, isValidApiKey } from "./api-key";
import { ServiceUnavailable, Unauthorized } from "./errors";
import type { Principal } from "./principal";
import { HierarchicalScopeValidator, type ScopeValidator, SimpleScopeValidator } from "./scopes";
import type { Verifier } from "./verifier";

/** A key row as the store returns it, its owner joined in. */
export interface StoredApiKey {
  id: string;
  /** The owner: the principal's subject. */
  userId: string;
  name: string;
  /** Scopes granted to the key at creation. */
  scopes: readonly string[];
  /** The owner's scopes now; the key never gets more than these. */
  ownerScopes: readonly string[];
  ownerDisabled: boolean;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** When known, spares a `touch` right after a restart. */
  lastUsedAt?: Date | null;
}

/** The port the app implements with `@gatehouse/db/api-keys`. */
export interface ApiKeyStore {
  /** The key whose `key_hash` is `hash` (hex SHA-256), or `null`. One indexed lookup. */
  findByHash(hash: string): Promise<StoredApiKey | null>;
  /** Records that these keys were used at `at`. Optional: without it nothing is written. */
  touch?(ids: readonly string[], at: Date): Promise<void>;
}

export interface ApiKeyVerifierOptions {
  store: ApiKeyStore;
  /** Checks key scopes against the owner's current scopes. Default: `new HierarchicalScopeValidator()`. */
  validator?: ScopeValidator;
  /** Accepted environment segments (`gk_<env>_…`). Default: any. Production may pass `["live"]`. */
  environments?: readonly string[];
  /** How long a looked-up key is trusted without asking the store again, in ms. Default: 30 000. 0 disables the cache. */
  cacheTtl?: number;
  /** How long an unknown/refused key is remembered, in ms. Default: 5 000. */
  negativeCacheTtl?: number;
  /** Most keys kept (approximate LRU). Default: 10 000. */
  cacheSize?: number;
  /** Most refused keys kept (LRU), separate so a flood of bad keys cannot evict good ones. Default: 1 000. */
  negativeCacheSize?: number;
  /** A key's `last_used_at` is written at most once per this many ms. Default: 60 000. */
  touchInterval?: number;
  /** Pending uses are flushed this many ms after the first one (timer `unref`ed). Default: 1 000. */
  flushDelay?: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
  /** Told about errors that have no caller to go to (a failed `touch`). Default: ignore. */
  onError?: (error: unknown) => void;
}

export interface ApiKeyVerifier extends Verifier {
  /** Drops a key (by id or by hash) from this process's cache at once; later verifies ask the store. */
  invalidate(idOrHash: string): void;
  /**
   * Drops every cached key of this owner at once (their scopes changed, or they were disabled):
   * a key's scopes are capped by its owner's, read with the key, so the next verify asks the store.
   * Refused keys are forgotten too (their owner is not remembered), so a re-enabled owner's
   * keys work at once.
   */
  invalidateOwner(userId: string): void;
  /** Drops every cached key at once (revocations may have been missed); later verifies ask the store. */
  clear(): void;
  /** Writes pending `last_used_at` updates now. Never throws (errors go to `onError`). */
  flush(): Promise<void>;
  /** Flushes pending uses and stops the flush timer. */
  close(): Promise<void>;
}

export const INVALID_API_KEY = "Invalid API key";

/** Keys whose effective scopes are remembered: at least this many, or `cacheSize`. */
const SCOPE_MEMO_MIN_SIZE = 256;

/** A key's effective scopes and the two lists they were computed from. */
interface ScopeMemo {
  scopes: readonly string[];
  ownerScopes: readonly string[];
  effective: readonly string[];
}

interface CachedKey {
  id: string;
  principal: Principal;
  /** ms epoch, or Infinity. Checked on every hit. */
  expiresAt: number;
  /** Ask the store again from this time on. */
  freshUntil: number;
  /** Last time a use was queued for `touch` (or the stored `last_used_at`). */
  touchedAt: number;
  /** Hit since it last reached the eviction end (CLOCK / second chance). */
  used: boolean;
}

type Lookup = CachedKey | null;

/**
 * A store query in progress. The request that started it runs it inline (no promise of its
 * own); only a request that joins it makes one, so a lone miss pays for no extra promise.
 */
interface Flight {
  joined?: Promise<Lookup>;
  resolve?: (lookup: Lookup) => void;
  reject?: (error: unknown) => void;
}

function join(flight: Flight): Promise<Lookup> {
  flight.joined ??= new Promise<Lookup>((resolve, reject) => {
    flight.resolve = resolve;
    flight.reject = reject;
  });
  return flight.joined;
}

export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const store = options.store;
  if (!store || typeof store.findByHash !== "function")
    throw new TypeError("createApiKeyVerifier: `store` is required");
  const validator = options.validator ?? new HierarchicalScopeValidator();
  const environments = options.environments ? [...options.environments] : undefined;
  const cacheTtl = nonNegative("cacheTtl", options.cacheTtl ?? 30_000);
  const negativeCacheTtl = nonNegative("negativeCacheTtl", options.negativeCacheTtl ?? 5_000);
  const cacheSize = nonNegative("cacheSize", options.cacheSize ?? 10_000);
  const negativeCacheSize = nonNegative("negativeCacheSize", options.negativeCacheSize ?? 1_000);
  const touchInterval = nonNegative("touchInterval", options.touchInterval ?? 60_000);
  const flushDelay = nonNegative("flushDelay", options.flushDelay ?? 1_000);
  const now = options.now ?? Date.now;
  const onError = options.onError;
  const report = (error: unknown) => {
    try {
      onError?.(error);
    } catch {
      // A throwing reporter must not break the flush loop.
    }
  };
  const touch = store.touch?.bind(store);

  // Approximate LRU (CLOCK): a hit only sets `used`; eviction gives used entries a second
  // chance. Moving an entry on every hit (Map delete + set) cost more than the rest of a hit.
  const cache = new Map<string, CachedKey>();
  const refused = new Map<string, number>(); // hash → refused until
  const inflight = new Map<string, Flight>();
  // Bumped by every invalidation: a lookup that started before one may have read the row
  // before the revocation committed, so its answer is returned but not cached.
  let epoch = 0;
  const pendingTouch = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> | undefined;

  const invalid = () => new Unauthorized(INVALID_API_KEY);

  function remember<V>(map: Map<string, V>, max: number, key: string, value: V): void {
    if (max === 0) return;
    map.delete(key);
    map.set(key, value);
    while (map.size > max) {
      const [oldest, entry] = map.entries().next().value as [string, V];
      map.delete(oldest);
      if (isCachedKey(entry) && entry.used) {
        entry.used = false;
        map.set(oldest, entry);
      }
    }
  }

  // Parsing the scopes was the largest piece of the verifier's own miss-path work (~2 µs a
  // miss, in profiles of the bench), for an answer that rarely changes: a key is looked up
  // again every fresh window with the same scopes. So each key's last answer is kept with the
  // two lists it came from and reused while both read the same, compared element by element:
  // the earlier memo keyed by JSON.stringify of both lists left the verifier's own miss work at
  // ~5.5 µs (store in memory, hot loop); this one ~4 µs. Only for the built-in validators, whose
  // answers depend on their arguments alone; a custom validator is asked every time.
  const scopeMemo =
    validator.constructor === HierarchicalScopeValidator || validator.constructor === SimpleScopeValidator
      ? new Map<string, ScopeMemo>()
      : undefined;
  const scopeMemoSize = Math.max(cacheSize, SCOPE_MEMO_MIN_SIZE);
  function keyScopes(stored: StoredApiKey): readonly string[] {
    const memo = scopeMemo?.get(stored.id);
    if (memo && sameStrings(memo.scopes, stored.scopes) && sameStrings(memo.ownerScopes, stored.ownerScopes)) {
      return memo.effective;
    }
    const effective = Object.freeze(effectiveApiKeyScopes(validator, stored.scopes, stored.ownerScopes));
    if (scopeMemo) {
      if (scopeMemo.size >= scopeMemoSize) scopeMemo.clear();
      // Copies: a store may hand out arrays it changes later.
      scopeMemo.set(stored.id, { scopes: [...stored.scopes], ownerScopes: [...stored.ownerScopes], effective });
    }
    return effective;
  }

  function toCached(stored: StoredApiKey | null, at: number): Lookup {
    if (!stored || stored.revokedAt !== null || stored.ownerDisabled) return null;
    const expiresAt = stored.expiresAt ? stored.expiresAt.getTime() : Number.POSITIVE_INFINITY;
    if (!(expiresAt > at)) return null; // NaN (a bad date) refuses too.
    const scopes = keyScopes(stored);
    // `exp` (NumericDate, rounded down) as a JWT carries it: whatever this key mints must not outlive it.
    const claims = Object.freeze({
      sub: stored.userId,
      key_id: stored.id,
      name: stored.name,
      ...(stored.expiresAt ? { exp: Math.floor(expiresAt / 1000) } : {}),
    });
    return {
      id: stored.id,
      principal: Object.freeze({ subject: stored.userId, kind: "api_key", scopes, claims }),
      expiresAt,
      freshUntil: at + cacheTtl,
      touchedAt: stored.lastUsedAt ? stored.lastUsedAt.getTime() : Number.NEGATIVE_INFINITY,
      used: false,
    };
  }

  // What the request that ran the query does with its answer (synchronously, so `verify`
  // needs no second async function on the miss path).
  function settle(hash: string, stored: StoredApiKey | null, startedIn: number): Lookup {
    const at = now();
    const entry = toCached(stored, at);
    if (startedIn === epoch) {
      if (entry && cacheTtl > 0) remember(cache, cacheSize, hash, entry);
      else if (!entry && negativeCacheTtl > 0) remember(refused, negativeCacheSize, hash, at + negativeCacheTtl);
    }
    return entry;
  }

  function recordUse(entry: CachedKey, at: number): void {
    if (!touch || at - entry.touchedAt < touchInterval) return;
    entry.touchedAt = at;
    pendingTouch.add(entry.id);
    if (flushTimer === undefined) {
      flushTimer = setTimeout(() => {
        flushTimer = undefined;
        void flush();
      }, flushDelay);
      flushTimer.unref?.();
    }
  }

  async function flush(): Promise<void> {
    if (flushTimer !== undefined) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    // One write at a time; uses queued meanwhile go in the next batch.
    while (flushing) await flushing;
    if (!touch || pendingTouch.size === 0) return;
    const ids = [...pendingTouch];
    pendingTouch.clear();
    const at = new Date(now());
    flushing = Promise.resolve()
      .then(() => touch(ids, at))
      .then(
        () => {},
        (error) => report(error), // last_used_at is best effort: never fail a request for it.
      )
      .finally(() => {
        flushing = undefined;
      });
    await flushing;
  }

  return {
    async verify(credential) {
      // Offline first: junk never reaches the cache or the store.
      if (!isValidApiKey(credential, environments)) throw invalid();
      const hash = hashApiKey(credential);
      const at = now();
      const entry = cache.get(hash);
      if (entry && at < entry.freshUntil) {
        entry.used = true;
      } else {
        const touchedAt = entry?.touchedAt ?? Number.NEGATIVE_INFINITY;
        if (entry) cache.delete(hash); // Stale: the store decides again.
        const refusedUntil = refused.get(hash);
        if (refusedUntil !== undefined) {
          if (at < refusedUntil) throw invalid();
          refused.delete(hash);
        }
        // One store query per key, however many requests miss at once: later ones join it.
        let found: Lookup;
        const flight = inflight.get(hash);
        if (flight) {
          found = await join(flight);
        } else {
          // This request runs the query inline: no promise of its own for a lone miss.
          const started: Flight = {};
          const startedIn = epoch;
          inflight.set(hash, started);
          try {
            let stored: StoredApiKey | null;
            try {
              stored = await store.findByHash(hash);
            } catch (error) {
              // The database decides; without it we cannot say the key is bad. Not cached.
              throw new ServiceUnavailable(undefined, { cause: error });
            }
            found = settle(hash, stored, startedIn);
          } catch (error) {
            started.reject?.(error);
            throw error;
          } finally {
            // Unless an invalidation cleared it and a later miss put a newer lookup there.
            if (inflight.get(hash) === started) inflight.delete(hash);
          }
          started.resolve?.(found);
        }
        if (!found) throw invalid();
        // A refresh must not re-queue a touch the store has not applied yet.
        if (touchedAt > found.touchedAt) found.touchedAt = touchedAt;
        // `settle` refused an expired key at its own, later clock reading: no second check.
        recordUse(found, at);
        return found.principal;
      }
      if (!(at < entry.expiresAt)) throw invalid(); // Expiry is re-checked on every hit.
      recordUse(entry, at);
      return entry.principal;
    },

    invalidate(idOrHash) {
      epoch++;
      inflight.clear();
      if (!cache.delete(idOrHash)) {
        for (const [hash, entry] of cache) {
          if (entry.id === idOrHash) cache.delete(hash);
        }
      }
    },

    invalidateOwner(userId) {
      epoch++;
      inflight.clear();
      for (const [hash, entry] of cache) {
        if (entry.principal.subject === userId) cache.delete(hash);
      }
      refused.clear(); // Rare (an operator's change) and cheap: refused keys only cost a lookup again.
    },

    clear() {
      epoch++;
      inflight.clear();
      cache.clear();
    },

    flush,

    async close() {
      await flush();
    },
  };
}

export const API_KEY_REVOKED_CHANNEL = "api_key_revoked";

/** Marks a revocation payload that names an owner (`owner:<user id>`) rather than one key. */
const OWNER_PREFIX = "owner:";

/**
 * What to publish on `API_KEY_REVOKED_CHANNEL` after an owner's scopes changed or they were
 * disabled: every instance then drops all of that owner's cached keys.
 */
export function ownerRevocationPayload(userId: string): string {
  return `${OWNER_PREFIX}${userId}`;
}

export interface RevocationSubscriptionOptions {
  /**
   * Subscribes to a channel; resolves to an unsubscribe function (`Database.listen` fits).
   * Calls `onListen` each time the subscription is (re)established, if it can tell.
   */
  listen(channel: string, onPayload: (payload: string) => void, onListen: () => void): Promise<() => Promise<void>>;
  /** Default: `API_KEY_REVOKED_CHANNEL` ("api_key_revoked"). */
  channel?: string;
  /** Whose caches to clear: usually the one verifier of this process. */
  verifiers: readonly Pick<ApiKeyVerifier, "invalidate" | "invalidateOwner" | "clear">[];
}

/**
 * Drops a key from the given verifiers' caches whenever its id or hash is published on the
 * channel, and every key of an owner when `ownerRevocationPayload(userId)` is. The revoking
 * side publishes after its UPDATE commits: `await database.notify(API_KEY_REVOKED_CHANNEL, hash)`.
 * When the subscription is re-established (the listener connection dropped and came back), the
 * verifiers are cleared: whatever was published in between is lost. Resolves to an unsubscribe function.
 */
export async function subscribeToRevocations(options: RevocationSubscriptionOptions): Promise<() => Promise<void>> {
  const channel = options.channel ?? API_KEY_REVOKED_CHANNEL;
  const verifiers = [...options.verifiers];
  let listened = false;
  return options.listen(
    channel,
    (payload) => {
      const ref = payload.trim();
      if (ref === "") return;
      if (ref.startsWith(OWNER_PREFIX)) {
        const owner = ref.slice(OWNER_PREFIX.length);
        if (owner !== "") for (const verifier of verifiers) verifier.invalidateOwner(owner);
        return;
      }
      for (const verifier of verifiers) verifier.invalidate(ref);
    },
    () => {
      if (listened) for (const verifier of verifiers) verifier.clear();
      listened = true;
    },
  );
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isCachedKey(value: unknown): value is CachedKey {
  return typeof value === "object" && value !== null && "used" in value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new TypeError(`createApiKeyVerifier: \`${name}\` must be a number ≥ 0`);
  return value;
}
