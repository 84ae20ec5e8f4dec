/**
 * The sign-up budgets: every attempt counts (not only failures), since account creation is
 * what a bot floods. A global budget holds whatever the client claims its address is; behind
 * a trusted proxy (./client-address.ts) each address also has its own, smaller one. The
 * trade-off of the global budget: a flood spends it for everyone until it slides out of the
 * window (one hour by default), which bounds the accounts a bot can create instead.
 */
import { type AttemptThrottle, type Budget, checkBudget } from "./attempt-throttle";

export interface SignUpBudgets {
  global: Budget;
  address: Budget;
}

export interface SignUpThrottle {
  /** Counts this sign-up attempt before any hashing, or refuses it (counting nothing). */
  reserve(address: string | null): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

export function createSignUpThrottle(options: { attempts: AttemptThrottle; budgets: SignUpBudgets }): SignUpThrottle {
  const { attempts } = options;
  const global = checkBudget("sign-up global budget", options.budgets.global);
  const perAddress = checkBudget("sign-up address budget", options.budgets.address);
  return {
    async reserve(address) {
      const budgets: [string, Budget][] = [["signup:global", global]];
      if (address !== null) budgets.push([`signup:address:${encodeURIComponent(address)}`, perAddress]);
      const decision = await attempts.reserve(budgets);
      return decision.allowed ? { allowed: true } : decision;
    },
  };
}
