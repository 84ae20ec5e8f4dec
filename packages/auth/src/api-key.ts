/**
 * API key format: generation, offline checksum check, hashing, and the scope check at creation.
 *
 *   gk_<environment>_<secret><checksum>          e.g. gk_live_Zq3…(43)…w9 + 0cX4aQ (57 chars)
 *
 * - `gk_` says what it is (a Gatehouse key); `<environment>` is `[a-z][a-z0-9]{0,15}`
 *   (`live`, `test`, …) so a key pasted into the wrong deployment is recognisable at a glance.
 * - `<secret>`: 43 characters of base62 (`0-9A-Za-z`), each uniform, drawn from
 *   `crypto.randomBytes` by rejection sampling: 43 × log2(62) ≈ 256 bits.
 * - `<checksum>`: CRC32 (IEEE) of everything before it (`gk_<environment>_<secret>`), base62,
 *   zero-padded to 6 characters. A typo, a truncated key or a key whose environment was edited
 *   is refused offline, without touching the cache or the database (GitHub token style). It is
 *   not a MAC: anyone can compute it; it only filters accidents and junk cheaply.
 * - URL-safe, no padding, no characters that need quoting in a header or a shell.
 * - Secret scanners: {@link API_KEY_PATTERN} (`\bgk_[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{49}\b`).
 *
 * Storage: only `hashApiKey(key)` (hex SHA-256 of the whole key) and `apiKeyStart(key)`
 * (`gk_live_` + 4 secret characters, for display) are stored. SHA-256 and not argon2: the
 * secret has 256 bits of entropy, so there is nothing to brute-force, and lookup by digest
 * through a unique index leaks nothing useful by timing (the attacker does not control the
 * digest's prefix).
 */
import { randomBytes } from "node:crypto";
// zlib.crc32 is in every Node the engines field admits (≥ 20.15 / 22.2); keys are ASCII, so
// its UTF-8 encoding of the string is the bytes themselves.
import { crc32 } from "node:zlib";
import { Forbidden } from "./errors";
import { covers } from "./lib/grant-scopes";
import { sha256Hex } from "./lib/sha256";
import { HierarchicalScopeValidator, parseScopeList, type Scope, type ScopeValidator } from "./scopes";

export const API_KEY_PREFIX = "gk_";
/** Secret scanners (GitHub push protection, gitleaks, trufflehog): a whole key anywhere in text. */
export const API_KEY_PATTERN = /\bgk_[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{49}\b/;

const ENVIRONMENT = /^[a-z][a-z0-9]{0,15}$/;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const START_LENGTH = 4;
const MAX_KEY_LENGTH = API_KEY_PREFIX.length + 16 + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;

export interface ParsedApiKey {
  environment: string;
  secret: string;
  checksum: string;
}

/**
 * Cheap prefix test: does this token claim to be one of our keys? Routes `Bearer gk_…` to
 * the key verifier (`bearer({ accepts: isApiKeyFormat })`) and everything else to the JWT
 * verifier (`bearer({ accepts: (t) => !isApiKeyFormat(t) })`). A `gk_` token with a bad
 * checksum is still ours to refuse, so this deliberately does not check it.
 */
export function isApiKeyFormat(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/** The parts of a well-formed key with a correct checksum, or `null`. No IO. */
export function parseApiKey(key: string): ParsedApiKey | null {
  const end = environmentEnd(key);
  if (end === -1) return null;
  const secretEnd = end + 1 + SECRET_LENGTH;
  return {
    environment: key.slice(API_KEY_PREFIX.length, end),
    secret: key.slice(end + 1, secretEnd),
    checksum: key.slice(secretEnd),
  };
}

/**
 * Offline check, no allocation: the key is well-formed, its checksum is right and, when
 * `environments` is given, its environment is one of them. What the verifier runs first.
 */
export function isValidApiKey(key: string, environments?: readonly string[]): boolean {
  const end = environmentEnd(key);
  if (end === -1) return false;
  if (!environments) return true;
  const length = end - API_KEY_PREFIX.length;
  for (let i = 0; i < environments.length; i++) {
    const environment = environments[i] as string;
    if (environment.length === length && key.startsWith(environment, API_KEY_PREFIX.length)) return true;
  }
  return false;
}

// Base62 digit of each ASCII code; 255 for every other character.
const BASE62_DIGIT = (() => {
  const table = new Uint8Array(128).fill(255);
  for (let i = 0; i < BASE62.length; i++) table[BASE62.charCodeAt(i)] = i;
  return table;
})();

// Index of the `_` that ends the environment, or -1 unless the whole key is well-formed and
// its checksum matches. Runs on every request (junk must cost nothing), so no regex, no
// allocation, and one table lookup per character both checks base62 and reads the checksum.
function environmentEnd(key: string): number {
  const length = key.length;
  if (length > MAX_KEY_LENGTH || !key.startsWith(API_KEY_PREFIX)) return -1;
  const start = API_KEY_PREFIX.length;
  let end = start;
  for (; end < length; end++) {
    const code = key.charCodeAt(end);
    if (code === 95 /* _ */) break;
    const lower = code >= 97 && code <= 122;
    if (!(lower || (end > start && code >= 48 && code <= 57))) return -1;
  }
  if (end === start || end - start > 16 || length !== end + 1 + SECRET_LENGTH + CHECKSUM_LENGTH) return -1;
  const checksumStart = length - CHECKSUM_LENGTH;
  let checksum = 0;
  for (let i = end + 1; i < length; i++) {
    const code = key.charCodeAt(i);
    const digit = code < 128 ? (BASE62_DIGIT[code] as number) : 255;
    if (digit === 255) return -1;
    // The checksum is written most significant digit first (see checksumOf).
    if (i >= checksumStart) checksum = checksum * 62 + digit;
  }
  return checksum === crc32(key.slice(0, checksumStart)) ? end : -1;
}

export interface GenerateApiKeyOptions {
  /** Environment segment of the prefix. Default: "live". */
  environment?: string;
}

export interface GeneratedApiKey {
  /** The full key: show it to its owner once, never store or log it. */
  key: string;
  /** Hex SHA-256 of `key`: the only form the database keeps. */
  hash: string;
  /** Prefix and first characters, for recognising the key in a list. */
  start: string;
}

export function generateApiKey(options: GenerateApiKeyOptions = {}): GeneratedApiKey {
  const environment = options.environment ?? "live";
  if (!ENVIRONMENT.test(environment)) {
    throw new TypeError(`Invalid API key environment ${JSON.stringify(environment)}: expected [a-z][a-z0-9]{0,15}`);
  }
  const body = `${API_KEY_PREFIX}${environment}_${randomBase62(SECRET_LENGTH)}`;
  const key = body + checksumOf(body);
  return { key, hash: hashApiKey(key), start: apiKeyStart(key) };
}

/** Hex SHA-256 of the whole key: the cache key and the database lookup key. */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** `gk_live_` plus the first 4 secret characters (24 bits: enough to tell keys apart, useless to guess). */
export function apiKeyStart(key: string): string {
  const underscore = key.indexOf("_", API_KEY_PREFIX.length);
  return key.slice(0, underscore + 1 + START_LENGTH);
}

export interface IssueApiKeyOptions extends GenerateApiKeyOptions {
  /** Scopes requested for the key. */
  scopes: readonly string[];
  /** Scopes the owner holds now. Every requested scope must be satisfied by them. */
  ownerScopes: readonly string[];
  /** Default: `new HierarchicalScopeValidator()`; pass the app's own. */
  validator?: ScopeValidator;
}

export interface IssuedApiKey extends GeneratedApiKey {
  /** The requested scopes, validated and de-duplicated: store these. */
  scopes: Scope[];
}

/**
 * Generates a key for an owner after checking that the owner holds every requested scope:
 * a key can never widen what its owner may do. Throws `InvalidScopeError` for a malformed
 * scope and `Forbidden` (code `invalid_scope`) for one the owner does not hold. The verifier
 * checks again at use, against the owner's scopes at that time.
 */
export function issueApiKey(options: IssueApiKeyOptions): IssuedApiKey {
  const validator = options.validator ?? new HierarchicalScopeValidator();
  const scopes = parseScopeList([...options.scopes]);
  const notHeld = scopes.find((scope) => !validator.satisfies(options.ownerScopes, scope));
  if (notHeld !== undefined) {
    throw new Forbidden(`Cannot grant a scope you do not hold: ${notHeld}`, { code: "invalid_scope" });
  }
  return { ...generateApiKey(options), scopes };
}

/**
 * Scopes a key may use now: each of its scopes that the owner still holds and, for a key scope
 * the owner no longer holds whole, the owner's scopes inside it (a `notes:*` key whose owner was
 * lowered to `notes:read` keeps `notes:read`). Never more than both sides grant; with crossed
 * wildcards (`notes:*` against `*:read`) it may grant less than the exact meet, the safe side.
 * Runs on every cache miss, so the common case (owner holds the very same strings) parses nothing.
 */
export function effectiveApiKeyScopes(
  validator: ScopeValidator,
  keyScopes: readonly string[],
  ownerScopes: readonly string[],
): string[] {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const scope of keyScopes) {
    if (ownerScopes.includes(scope) || covers(validator, ownerScopes, scope)) {
      if (!kept.includes(scope)) kept.push(scope);
    } else {
      dropped.push(scope);
    }
  }
  if (dropped.length > 0) {
    for (const scope of ownerScopes) {
      if (!kept.includes(scope) && covers(validator, dropped, scope)) kept.push(scope);
    }
  }
  return kept;
}

function checksumOf(body: string): string {
  let value = crc32(body);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting bytes ≥ 248 keeps every character uniform (no modulo bias).
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}
