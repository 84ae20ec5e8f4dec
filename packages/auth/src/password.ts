/**
 * argon2id password hashing with OWASP's minimum parameters (m=19456 KiB, t=2, p=1).
 * One hash keeps a core busy for tens of milliseconds: a burst of logins would take every
 * core from the requests around it, so at most `concurrency` run at once (default: one core
 * left free, `max(1, cores − 1)`; see `configurePasswordHashing`). Extra logins queue in
 * arrival order.
 */
import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";

export interface PasswordHashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: PasswordHashParams = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const ALGORITHM_ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, not importable with isolatedModules)

/** Hashes at once by default: every core but one, so requests always find a core (issue #12 §3). */
export function defaultPasswordHashConcurrency(cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores) - 1);
}

export interface PasswordHashingOptions {
  /** Most argon2 hashes and verifies running at once, process-wide. Default: `defaultPasswordHashConcurrency()`. */
  concurrency?: number;
}

let limit = defaultPasswordHashConcurrency();
let running = 0;
const waiting: Array<() => void> = [];

/** Sets the process-wide cap (the app calls it once at start, from `PASSWORD_HASH_CONCURRENCY`). */
export function configurePasswordHashing(options: PasswordHashingOptions): void {
  const concurrency = options.concurrency ?? defaultPasswordHashConcurrency();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError("configurePasswordHashing: concurrency must be a positive integer");
  }
  limit = concurrency;
  // A raised cap starts waiting work at once; a lowered one takes effect as running work ends.
  while (running < limit && waiting.length > 0) {
    running++;
    waiting.shift()?.();
  }
}

async function bounded<T>(task: () => Promise<T>): Promise<T> {
  // A finishing task hands its slot straight to the next waiter, so no newcomer can jump in between.
  if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await task();
  } finally {
    const next = running <= limit ? waiting.shift() : undefined;
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string, params: PasswordHashParams = OWASP_ARGON2ID): Promise<string> {
  return bounded(() => hash(password, { ...params, algorithm: ALGORITHM_ARGON2ID }));
}

/** False for a wrong password and for a hash that is not a valid argon2 string. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await bounded(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

/** A hash made with other parameters (or another algorithm) should be replaced at next login. */
export function needsRehash(passwordHash: string, params: PasswordHashParams = OWASP_ARGON2ID): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!match) return true;
  return (
    Number(match[1]) !== params.memoryCost ||
    Number(match[2]) !== params.timeCost ||
    Number(match[3]) !== params.parallelism
  );
}

/**
 * A valid hash of a random password, verified against when the user does not exist so
 * that "unknown email" costs the same time as "wrong password".
 */
let dummyHash: Promise<string> | undefined;
export function verifyAgainstDummy(password: string): Promise<boolean> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  return dummyHash.then((h) => verifyPassword(h, password)).then(() => false);
}
