/**
 * Attempt throttles kept in the database (`auth_attempts`), so every instance shares one
 * budget per key: at most `maxAttempts` recorded failures in a sliding window, then refused
 * with a Retry-After until the oldest leaves the window. A success clears the key.
 * Fits the token endpoint's `PasswordThrottle` port, and the sign-in and sign-up forms.
 */
import type { PasswordThrottle, ThrottleDecision } from "@gatehouse/auth/token-endpoint";
import { clearAttempts, countAttempts, recordAttempt } from "@gatehouse/db/auth-attempts";
import type { Database } from "@gatehouse/db/client";

export interface ThrottleOptions {
  database: () => Promise<Database>;
  maxAttempts: number;
  windowSeconds: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface Throttle extends Required<PasswordThrottle> {
  check(key: string): Promise<ThrottleDecision>;
  record(key: string, outcome: "success" | "failure"): Promise<void>;
}

export function createThrottle(options: ThrottleOptions): Throttle {
  const { database, maxAttempts } = options;
  const windowMs = options.windowSeconds * 1000;
  const now = options.now ?? Date.now;
  if (!(maxAttempts > 0) || !(windowMs > 0))
    throw new TypeError("createThrottle: maxAttempts and windowSeconds must be positive");
  const db = async () => (await database()).db;

  return {
    async check(key) {
      const at = now();
      const window = await countAttempts(await db(), key, new Date(at - windowMs));
      if (window.count < maxAttempts) return { allowed: true };
      const oldest = window.oldest?.getTime() ?? at;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - at) / 1000)) };
    },
    async record(key, outcome) {
      if (outcome === "success") return clearAttempts(await db(), key);
      const at = now();
      await recordAttempt(await db(), key, new Date(at), new Date(at - windowMs));
    },
  };
}

// The form keys attempts exactly as the token endpoint does, so both doors share one budget.
export { passwordThrottleKey } from "@gatehouse/auth/token-endpoint";
