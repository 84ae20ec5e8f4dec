/**
 * Password-attempt throttle: at most `maxAttempts` failures per key (address + email) in a
 * sliding window; a success clears the key. In memory, so per instance: behind several
 * instances the effective limit is `maxAttempts × instances` (a shared store is a port away).
 */
import type { PasswordThrottle, ThrottleDecision } from "@gatehouse/auth/token-endpoint";

export interface MemoryThrottleOptions {
  maxAttempts: number;
  windowSeconds: number;
  /** Most keys remembered; the oldest are forgotten first. Default: 50 000. */
  maxKeys?: number;
  now?: () => number;
}

export interface MemoryThrottle extends Required<PasswordThrottle> {
  check(key: string): Promise<ThrottleDecision>;
}

export function createMemoryThrottle(options: MemoryThrottleOptions): MemoryThrottle {
  const windowMs = options.windowSeconds * 1000;
  const maxKeys = options.maxKeys ?? 50_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (key: string): number[] => {
    const cutoff = now() - windowMs;
    const kept = (failures.get(key) ?? []).filter((at) => at > cutoff);
    if (kept.length) failures.set(key, kept);
    else failures.delete(key);
    return kept;
  };

  return {
    async check(key) {
      const attempts = recent(key);
      if (attempts.length < options.maxAttempts) return { allowed: true };
      const oldest = attempts[0] ?? now();
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now()) / 1000)) };
    },
    async record(key, outcome) {
      if (outcome === "success") {
        failures.delete(key);
        return;
      }
      const attempts = recent(key);
      attempts.push(now());
      failures.delete(key); // Re-insert: Map order is our recency order for eviction.
      failures.set(key, attempts);
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value as string);
    },
  };
}
