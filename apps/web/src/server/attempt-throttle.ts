/**
 * Budgets of attempts kept in the database (`auth_attempts`), so every instance shares them:
 * each budget allows `maxAttempts` in a sliding window of `windowSeconds`. An attempt is
 * counted against all its budgets at once, atomically with the check, before the work it
 * guards (see `reserveAttempts`). Nothing is ever locked for longer than a window: the
 * oldest attempts slide out of it. The login and sign-up throttles are built on this.
 */
import { clearAttempts, refundAttempts, reserveAttempts } from "@gatehouse/db/auth-attempts";
import type { Database } from "@gatehouse/db/client";

export interface Budget {
  maxAttempts: number;
  windowSeconds: number;
}

export type AttemptDecision =
  | { allowed: true /** Gives this attempt back on every budget it was counted in. */; refund(): Promise<void> }
  | { allowed: false; retryAfterSeconds: number };

export interface AttemptThrottle {
  /** Counts one attempt against every `[key, budget]`, or refuses (counting nothing) when any is full. */
  reserve(budgets: readonly (readonly [key: string, budget: Budget])[]): Promise<AttemptDecision>;
  /** Forgets every attempt under `key`. */
  clear(key: string): Promise<void>;
}

export interface AttemptThrottleOptions {
  database: () => Promise<Database>;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export function createAttemptThrottle(options: AttemptThrottleOptions): AttemptThrottle {
  const { database } = options;
  const now = options.now ?? Date.now;
  const db = async () => (await database()).db;
  return {
    async reserve(budgets) {
      const at = now();
      const reservation = await reserveAttempts(
        await db(),
        new Date(at),
        budgets.map(([key, { maxAttempts, windowSeconds }]) => ({ key, limit: maxAttempts, windowSeconds })),
      );
      if (!reservation.reserved) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((reservation.freeAt.getTime() - at) / 1000)),
        };
      }
      return { allowed: true, refund: async () => refundAttempts(await db(), reservation.ids) };
    },
    async clear(key) {
      await clearAttempts(await db(), key);
    },
  };
}

/** Checks a budget from the environment once, at construction. */
export function checkBudget(name: string, budget: Budget): Budget {
  if (!Number.isInteger(budget.maxAttempts) || budget.maxAttempts < 1 || !(budget.windowSeconds > 0)) {
    throw new TypeError(`${name}: maxAttempts must be a positive integer and windowSeconds positive`);
  }
  return { ...budget };
}
