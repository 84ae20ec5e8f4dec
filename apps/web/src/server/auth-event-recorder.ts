/**
 * Records security events (#11 §5) into the hash-chained `auth_events` log, off the request
 * path: `record()` queues the event and returns at once; one drain per process appends what
 * is queued in one transaction (so a burst costs one connection and one lock turn, not one
 * each), and `flush()` lets tests wait for it. A failed append is logged through
 * `logInternalError`, never thrown into the request.
 *
 * Bounded against floods: the queue holds at most `maxQueued` events (more are dropped and
 * counted in the log); user agents are cut to 256 characters, emails to 254, details to 200;
 * events an attacker can repeat for free (throttled sign-ins, refused scopes, a revoked key
 * presented again) are recorded once per minute per (type, who, address, detail); a failed
 * sign-in for an unknown email writes its one row and nothing else.
 *
 * Never recorded: passwords, tokens, keys or any hash of them. Callers pass only ids.
 *
 * Not `server-only`: the CLI may record through it too.
 */
import { appendAuthEvents, type NewAuthEvent, normaliseSubject } from "@gatehouse/db/auth-events";
import type { Database } from "@gatehouse/db/client";
import { findRefreshFamilyUserId } from "@gatehouse/db/refresh-tokens";
import { findUserByEmail } from "@gatehouse/db/users";
import type { AuthEventType } from "~/lib/auth-event-types";
import type { ChainKey } from "./auth-event-key";
import { currentRequestHeaders } from "./request-headers";

/** What a caller knows about an event; the recorder fills in the rest. */
export interface AuthEventInput {
  type: AuthEventType;
  /** The account, when the caller knows it. */
  userId?: string | null | undefined;
  /** The email the request named (sign-ins): stored normalised; the account is looked up from it when `userId` is absent. */
  email?: string | null | undefined;
  /** A refresh-token family: the account is looked up from it when `userId` is absent. */
  familyId?: string | null | undefined;
  /**
   * The request's headers: the address comes from them through the trusted proxies only
   * (`addressOf`), and the user agent. Default: the route's (./request-headers.ts), if any.
   */
  headers?: Headers | undefined;
  /** A short note without secrets: a key id, a refused scope. */
  detail?: string | null | undefined;
}

export interface AuthEventRecorder {
  /** Queues the event; the promise settles once it is stored (or failed and was logged). Never rejects. */
  record(input: AuthEventInput): Promise<void>;
  /** Settles once every event queued so far is stored or logged as failed (not those queued later). */
  flush(): Promise<void>;
}

export interface AuthEventRecorderOptions {
  database: () => Promise<Database>;
  key: () => Promise<ChainKey>;
  onError: (error: unknown) => void;
  /** The client's address from request headers: `clientAddress` with `TRUSTED_PROXY_HOPS` (./client-address.ts). */
  addressOf: (headers: Headers) => string | null;
  /** Clock in ms. Default: `Date.now`. */
  now?: () => number;
  /** Default: 10 000. */
  maxQueued?: number;
}

export const MAX_USER_AGENT_LENGTH = 256;
const MAX_DETAIL_LENGTH = 200;
const MAX_ADDRESS_LENGTH = 100;
const BATCH = 100;
/** Types an attacker can repeat at no cost to themselves: at most one row per minute per key. */
const REPEATABLE = new Set<AuthEventType>(["sign_in.throttled", "scope.denied", "api_key.used_after_revocation"]);
const REPEAT_WINDOW_MS = 60_000;
const MAX_REPEAT_KEYS = 10_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Queued {
  seq: number;
  event: NewAuthEvent;
  email: string | null;
  familyId: string | null;
}

export function createAuthEventRecorder(options: AuthEventRecorderOptions): AuthEventRecorder {
  const now = options.now ?? Date.now;
  const maxQueued = options.maxQueued ?? 10_000;
  const queue: Queued[] = [];
  const lastSeen = new Map<string, number>();
  let dropped = 0;
  /** One drain at a time per process: it takes the whole queue, batch by batch. */
  let draining = false;
  // Sequence numbers, so a waiter waits for the events queued before it, not for a queue a
  // flood keeps full.
  let queued = 0;
  let settled = 0;
  const waiters: { through: number; resolve: () => void }[] = [];
  const settle = (through: number) => {
    settled = through;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i];
      if (waiter && waiter.through <= settled) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };
  const waitFor = (through: number): Promise<void> =>
    through <= settled ? Promise.resolve() : new Promise((resolve) => waiters.push({ through, resolve }));

  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH);
      const through = batch.at(-1)?.seq ?? settled;
      try {
        const database = await options.database();
        for (const item of batch) await resolveUser(database, item);
        await appendAuthEvents(
          database.db,
          batch.map((item) => item.event),
          (await options.key()).sign,
        );
      } catch (error) {
        options.onError(error);
      }
      settle(through);
      if (dropped > 0) {
        options.onError(new Error(`security log: ${dropped} event(s) dropped, the queue was full`));
        dropped = 0;
      }
    }
    draining = false;
  };

  return {
    record(input) {
      const at = now();
      const headers = input.headers ?? currentRequestHeaders();
      const event = toEvent(input, new Date(at), headers && options.addressOf(headers), headers?.get("user-agent"));
      if (REPEATABLE.has(input.type)) {
        const key = JSON.stringify([event.type, event.userId, event.subject, event.address, event.detail]);
        const seen = lastSeen.get(key);
        if (seen !== undefined && at - seen < REPEAT_WINDOW_MS) return Promise.resolve();
        if (lastSeen.size >= MAX_REPEAT_KEYS) lastSeen.clear();
        lastSeen.set(key, at);
      }
      if (queue.length >= maxQueued) {
        dropped += 1;
        return Promise.resolve();
      }
      queued += 1;
      queue.push({ seq: queued, event, email: event.userId ? null : event.subject, familyId: cleanId(input.familyId) });
      if (!draining) {
        draining = true;
        void drain();
      }
      return waitFor(queued);
    },
    flush: () => waitFor(queued),
  };
}

function toEvent(
  input: AuthEventInput,
  createdAt: Date,
  address: string | null | undefined,
  userAgent: string | null | undefined,
): NewAuthEvent {
  return {
    createdAt,
    type: input.type,
    userId: cleanId(input.userId),
    subject: input.email ? cut(normaliseSubject(input.email), 254) : null,
    address: cut(address, MAX_ADDRESS_LENGTH),
    userAgent: cut(userAgent, MAX_USER_AGENT_LENGTH),
    detail: cut(input.detail, MAX_DETAIL_LENGTH),
  };
}

/** Fills in the account from the email or the family, before the chain lock is taken. */
async function resolveUser(database: Database, item: Queued): Promise<void> {
  if (item.event.userId) return;
  if (item.familyId) item.event.userId = (await findRefreshFamilyUserId(database.db, item.familyId)) ?? null;
  else if (item.email) item.event.userId = (await findUserByEmail(database.db, item.email))?.id ?? null;
}

function cleanId(id: string | null | undefined): string | null {
  return id && UUID.test(id) ? id.toLowerCase() : null;
}

/**
 * At most `max` whole code points, well-formed (a lone surrogate would be stored as U+FFFD
 * and no longer match the hash taken here) and without NUL (Postgres refuses it).
 */
function cut(text: string | null | undefined, max: number): string | null {
  if (!text) return null;
  const clean = text
    .slice(0, max * 2)
    .replace(LONE_SURROGATE, "\uFFFD")
    .replaceAll("\u0000", "");
  return Array.from(clean).slice(0, max).join("") || null;
}
