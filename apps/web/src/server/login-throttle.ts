/**
 * The password-guessing budgets, shared by the sign-in form and the token endpoint (it is
 * their `PasswordThrottle`). Three budgets, each counted before the password is hashed:
 *
 * - per account, whatever the address: what limits guessing when the client's address is
 *   unknown (no trusted proxy) or forged, and against many addresses (a botnet, an IPv6
 *   range). Unknown accounts are budgeted exactly like real ones, so the answer never tells
 *   which exist;
 * - per (address, account): one client's typos stop it well before the account budget, so a
 *   user mistyping behind a trusted proxy does not lock out the account everywhere;
 * - per address, over all accounts: one client trying many accounts (credential stuffing).
 *
 * The last two need an address, which only a trusted proxy gives (./client-address.ts).
 * A success gives its own attempt back and clears the (address, account) budget; failures
 * from other addresses keep counting against the account until they leave the window, so an
 * owner signing in does not hand an attacker a fresh budget.
 *
 * Targeted lockout: anyone can keep one account's budget spent by guessing badly, so its
 * owner is refused for as long as the guessing goes on (never longer than one window after it
 * stops). The defaults (20 per 15 minutes) bound what that buys an attacker: at most 1 920
 * guesses a day against one account, while its existing sessions, refresh tokens and API
 * keys keep working.
 */
import { createHash } from "node:crypto";
import type { PasswordThrottle } from "@gatehouse/auth/token-endpoint";
import { type AttemptThrottle, type Budget, checkBudget } from "./attempt-throttle";

export interface LoginBudgets {
  account: Budget;
  pair: Budget;
  address: Budget;
}

export interface LoginThrottleOptions {
  attempts: AttemptThrottle;
  budgets: LoginBudgets;
}

export function createLoginThrottle(options: LoginThrottleOptions): PasswordThrottle {
  const { attempts } = options;
  const account = checkBudget("login account budget", options.budgets.account);
  const pair = checkBudget("login pair budget", options.budgets.pair);
  const address = checkBudget("login address budget", options.budgets.address);
  return {
    async reserve(attempt) {
      const who = accountKey(attempt.username);
      const budgets: [string, Budget][] = [[`login:account:${who}`, account]];
      let pairKey: string | null = null;
      if (attempt.address !== null) {
        const from = encodeURIComponent(attempt.address);
        pairKey = `login:pair:${from}:${who}`;
        budgets.push([pairKey, pair], [`login:address:${from}`, address]);
      }
      const decision = await attempts.reserve(budgets);
      if (!decision.allowed) return decision;
      return {
        allowed: true,
        async settle(outcome) {
          if (outcome === "failure") return;
          await decision.refund();
          if (pairKey !== null) await attempts.clear(pairKey);
        },
      };
    },
  };
}

/**
 * The account part of a throttle key, URI-encoded. It must be at least as coarse as the
 * database's email match (`lower(email) = lower($1)`, whose `lower()` follows the server's
 * locale), or spellings that reach one user would each get a budget of their own: on
 * Postgres with a UTF-8 locale `lower('İ')` is `i`, while JavaScript lower-cases it to
 * `i` + U+0307. So: trimmed, lower-cased one code point at a time (no final-sigma rule),
 * compatibility-decomposed with the combining marks dropped, and ς ı folded to σ i (ICU and
 * Turkish lower-casing). A key longer than {@link MAX_ACCOUNT_KEY_LENGTH} is replaced by its
 * SHA-256: a username of a few thousand characters (the token endpoint takes any length) would
 * not fit the btree index on `auth_attempts` (at most ~2.7 kB a row), and every guess with it
 * would fail as "unavailable" instead of being counted.
 */
export function accountKey(username: string): string {
  // A lone surrogate would make encodeURIComponent throw.
  const folded = [...username.trim().replace(/\p{Cs}/gu, "\uFFFD")]
    .map((c) => c.toLowerCase())
    .join("")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/ς/g, "σ")
    .replace(/ı/g, "i");
  const key = encodeURIComponent(folded);
  return key.length <= MAX_ACCOUNT_KEY_LENGTH ? key : `sha256.${createHash("sha256").update(key).digest("hex")}`;
}

/** Well inside the index's row limit, with the pair key's address (100 characters URI-encoded) beside it. */
const MAX_ACCOUNT_KEY_LENGTH = 256;
