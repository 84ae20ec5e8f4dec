/**
 * What a log line may carry. Every object logged goes through `redactForLog` (the logger's
 * `formatters.log`), and every finished line through `scrubSecrets` (its `streamWrite` hook),
 * so neither a careless call site nor a library's error can write down:
 * - credentials: passwords, tokens, API keys, client secrets, `Authorization`, `X-API-Key`;
 * - cookies (`Cookie`, `Set-Cookie`, any `*cookie*` field);
 * - hashes of secrets (`passwordHash`, `keyHash`, `digest`…): a hash is a guessing target;
 * - bound SQL parameters (`params`, `parameters`, `args`) and drizzle's "params:" message
 *   line; errors are described by `describeDatabaseError`, which keeps the SQL text only.
 * Keys are matched by name, case-insensitively, at any depth; values of matching keys are
 * replaced whole. Strings anywhere are also scrubbed of key- and JWT-shaped text.
 */
import { describeDatabaseError } from "@gatehouse/db/errors";

export const REDACTED = "[redacted]";

/**
 * Field names whose value is never logged. Substrings, so `newPassword`, `x-api-key`,
 * `refresh_token`, `set-cookie` and `password_hash` all match.
 */
const SECRET_KEY =
  /pass(word|wd|phrase)?$|password|secret|token|authorization|cookie|api[-_]?key|credential|hash|digest|signature|^(params|parameters|args|values|bind|binds)$|^(key|jwk|jwks|d|nonce|otp|code_verifier)$/i;

/** Text that is a credential wherever it appears: our API keys, JWTs, `Bearer …`, `Basic …`. */
const SECRET_TEXT = [
  /\bgk_[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{10,}/g,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  /\$argon2[a-z]*\$[^\s"]+/g,
];

/** drizzle's "Failed query: …\nparams: a,b" — cut from "params:" to the end of the line. */
const PARAMS_LINE = /(^|\n|\\n)\s*params:[^\n"]*/g;

const MAX_DEPTH = 6;

/** Replaces credential-shaped text in a string. */
export function scrubSecrets(text: string): string {
  let out = text.replace(PARAMS_LINE, `$1params: ${REDACTED}`);
  for (const pattern of SECRET_TEXT) out = out.replace(pattern, REDACTED);
  return out;
}

/** True for a field name whose value must not be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A copy of `value` safe to log: secret-named fields replaced, strings scrubbed, errors
 * described without parameters (message, SQLSTATE, stack frames only), headers objects
 * (`Headers`, Node's header records) treated like any other record.
 */
export function redactForLog<T>(value: T): T {
  return walk(value, 0, new WeakSet()) as T;
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[too deep]";
  seen.add(value);
  if (value instanceof Error) return describeError(value);
  if (value instanceof Headers) return walk(Object.fromEntries(value.entries()), depth, seen);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : walk(field, depth + 1, seen);
  }
  return out;
}

/** An error as `{ type, message, stack }`: the message value-free, the stack frames only. */
function describeError(error: Error): { type: string; message: string; stack?: string } {
  const message = scrubSecrets(describeDatabaseError(error));
  const stack = frames(error);
  return { type: error.name, message, ...(stack ? { stack } : {}) };
}

/** Stack frames only: the first stack line repeats the message, which may hold values. */
function frames(error: Error): string {
  if (typeof error.stack !== "string") return "";
  return error.stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .join("\n");
}
