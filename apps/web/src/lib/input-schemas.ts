/**
 * The building blocks every procedure input is made of (the routers are the authority; forms
 * reuse them). Safe to import from client components: no server code here.
 *
 * - `text()`: a string Postgres can store as typed. A NUL makes Postgres refuse the statement
 *   (today's 500 with the SQL in it); an unpaired surrogate is silently turned into U+FFFD on
 *   the way to UTF-8, so what is read back is not what was written. Both are a 400.
 * - `z.strictObject` everywhere: an unknown field is a 400 naming it, never silently dropped
 *   (a misspelt `expiresInDays` must not mint a key that never expires).
 * - `noInput`: for procedures that take nothing, so `{ anything: 1 }` is refused too.
 */
import { z } from "zod";

// Zod 4 probes `new Function("")` when it builds an object schema (to compile its parser); in
// the browser our CSP has no 'unsafe-eval', so the probe is a CSP violation. Set here, before
// any schema exists: every client module that builds one imports this file (sign-in, sign-up
// and notes forms). The interpreter parses the same.
z.config({ jitless: true });

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = "Text may not contain NUL characters or unpaired surrogates.";

/** True when `value` has no NUL and no unpaired UTF-16 surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes("\0") && !LONE_SURROGATE.test(value);
}

/** A string without NUL or unpaired surrogates; chain `.trim()`, `.min()`, `.max()` as usual. */
export function text() {
  return z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
}

/** The input of a procedure that takes none: absent, or an empty object. */
export const noInput = z.strictObject({}).optional();
