/**
 * The one way the app revokes access tokens before their `exp` (#11 §1): a sign-in (`family`,
 * the token's `sid`), an API key (`key`, `key_id` of its client-credentials tokens), or every
 * token a user got until now (`user`: sign out everywhere, disabled, scopes lowered; a token
 * issued afterwards carries the new scopes). Each revocation is written to
 * `access_revocations`, added to this process's list, and published on
 * `ACCESS_REVOKED_CHANNEL`, so every instance refuses the tokens at once.
 *
 * Not `server-only`: the operator CLI calls it from its own process; its NOTIFY is what
 * reaches the running app.
 */

import type { Revocation, RevocationKind, RevocationList } from "@gatehouse/auth/revocation-list";
import {
  listAccessRevocationsSince,
  pruneAccessRevocations,
  recordAccessRevocations,
} from "@gatehouse/db/access-revocations";
import type { Database } from "@gatehouse/db/client";

export const ACCESS_REVOKED_CHANNEL = "access_revoked";

export interface AccessRevocationContext {
  database: Database;
  /** This process's list (the app passes `getAuth().accessRevocations`; the CLI has none). */
  list?: RevocationList | undefined;
  /** Clock in ms. Default: `Date.now`. */
  now?: () => number;
}

/** Resolves the revocation's time (ms): a token issued after it (`iat_ms` later) is not refused by it. */
export async function revokeAccess(
  context: AccessRevocationContext,
  targets: readonly { kind: RevocationKind; subject: string }[],
): Promise<number> {
  const revokedAt = (context.now ?? Date.now)();
  if (targets.length === 0) return revokedAt;
  const revocations: Revocation[] = targets.map(({ kind, subject }) => ({ kind, subject, revokedAt }));
  // Here first: even if the write below fails, this instance refuses the tokens.
  for (const revocation of revocations) context.list?.add(revocation);
  await recordAccessRevocations(
    context.database.db,
    revocations.map(({ kind, subject }) => ({ kind, subject, revokedAt: new Date(revokedAt) })),
  );
  for (const revocation of revocations) {
    await context.database.notify(ACCESS_REVOKED_CHANNEL, JSON.stringify(revocation));
  }
  return revokedAt;
}

/** A NOTIFY payload as `revokeAccess` writes it, or `null` (anyone may NOTIFY: never trust the shape). */
export function parseRevocationNotice(payload: string): Revocation | null {
  if (payload.length > 1024) return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { kind, subject, revokedAt } = value as Record<string, unknown>;
  if (kind !== "family" && kind !== "key" && kind !== "user" && kind !== "token") return null;
  if (typeof subject !== "string" || subject === "" || typeof revokedAt !== "number" || !Number.isFinite(revokedAt))
    return null;
  return { kind, subject, revokedAt };
}

export interface AccessRevocationSubscriptionOptions {
  database: () => Promise<Database>;
  list: RevocationList;
  /** How far back a revocation can still refuse a live token: the access-token lifetime plus leeway, in s. */
  lookbackSeconds: number;
  now?: () => number;
  /** A reload or a subscription attempt that failed (the list keeps what it had; the attempt is retried). */
  onError: (error: unknown) => void;
  /** Delay before retrying a failed subscription, doubled each time up to `maxMs`. Default: 500 ms to 30 s. */
  retry?: { initialMs: number; maxMs: number };
}

export interface AccessRevocationSubscription {
  /** Settles once LISTEN is up and the table has been loaded (a failed subscription is retried until then). */
  ready: Promise<void>;
  /** The latest (re)load: after a reconnect, it settles when missed revocations are in the list. */
  reloaded(): Promise<void>;
  /**
   * `null` while the list is current (the cheap, common case: one read); otherwise a promise
   * that settles once it is again: before the first load, and from each listener reconnect
   * until the reload that follows it has succeeded (a failed reload is retried with the
   * subscription's backoff). Callers must not trust an access token meanwhile.
   */
  untilCurrent(): Promise<void> | null;
  unsubscribe(): Promise<void>;
}

/**
 * Feeds `list` from the channel, and (re)loads it from the table each time the subscription is
 * established: at start, and after the listener reconnects, since notices sent while it was
 * down are lost. Loading adds rows (never replaces), so a notice arriving during the load stays.
 * Until a load that started after the latest (re)LISTEN succeeds, `untilCurrent()` holds.
 */
export function subscribeToAccessRevocations(
  options: AccessRevocationSubscriptionOptions,
): AccessRevocationSubscription {
  const { list, onError } = options;
  const now = options.now ?? Date.now;
  const lookbackMs = options.lookbackSeconds * 1000;
  if (!(lookbackMs > 0)) throw new TypeError("subscribeToAccessRevocations: lookbackSeconds must be positive");
  const retry = options.retry ?? { initialMs: 500, maxMs: 30_000 };
  if (!(retry.initialMs > 0) || !(retry.maxMs >= retry.initialMs)) {
    throw new TypeError("subscribeToAccessRevocations: retry needs 0 < initialMs <= maxMs");
  }
  let stopped = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

  // Held from the start: nothing is loaded yet. `current` is what `untilCurrent()` hands out.
  let current: Promise<void> | null;
  let markCurrent: () => void = () => {};
  const hold = () => {
    if (current !== null) return;
    current = new Promise<void>((resolve) => {
      markCurrent = () => {
        current = null;
        resolve();
      };
    });
  };
  current = null;
  hold();

  const load = async () => {
    const since = now() - lookbackMs;
    const database = await options.database();
    for (const row of await listAccessRevocationsSince(database.db, new Date(since))) {
      list.add({ kind: row.kind, subject: row.subject, revokedAt: row.revokedAt.getTime() });
    }
    list.forgetBefore(since);
    await pruneAccessRevocations(database.db, new Date(since));
  };
  // Each (re)LISTEN starts a generation; only a load of the latest one makes the list current.
  let generation = 0;
  const reload = async (mine: number) => {
    for (let delay = retry.initialMs; !stopped && mine === generation; delay = Math.min(delay * 2, retry.maxMs)) {
      try {
        await load();
        if (mine === generation) markCurrent();
        return;
      } catch (error) {
        onError(error);
        await sleep(delay);
      }
    }
  };
  let lastLoad: Promise<void> = Promise.resolve();
  let firstLoaded: (load: Promise<void>) => void = () => {};
  const firstLoad = new Promise<void>((resolve) => {
    firstLoaded = resolve;
  });

  let lastPrune = now();
  const subscribe = async (): Promise<() => Promise<void>> =>
    (await options.database()).listen(
      ACCESS_REVOKED_CHANNEL,
      (payload) => {
        const revocation = parseRevocationNotice(payload);
        if (revocation) list.add(revocation);
        // Keep the list to one token lifetime without a timer.
        if (now() - lastPrune > lookbackMs) {
          lastPrune = now();
          list.forgetBefore(lastPrune - lookbackMs);
        }
      },
      () => {
        // Notices sent while the listener was down are lost: hold tokens until the table is read again.
        hold();
        lastLoad = reload(++generation);
        firstLoaded(lastLoad);
      },
    );
  // Database not up yet at start: keep trying with backoff, or the instance would never hear a revocation.
  const unsubscribe = (async () => {
    for (let delay = retry.initialMs; ; delay = Math.min(delay * 2, retry.maxMs)) {
      try {
        return await subscribe();
      } catch (error) {
        onError(error);
        if (stopped) throw error;
        await sleep(delay);
        if (stopped) throw error;
      }
    }
  })();
  return {
    ready: unsubscribe.then(() => firstLoad),
    reloaded: () => lastLoad,
    untilCurrent: () => current,
    unsubscribe: async () => {
      stopped = true;
      await (await unsubscribe)();
    },
  };
}
