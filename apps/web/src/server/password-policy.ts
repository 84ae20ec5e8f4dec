/**
 * What a new password must be (NIST SP 800-63B §5.1.1.2): long enough, not absurdly long,
 * and not on a list of passwords attackers try first. No composition rules (they make
 * passwords harder to remember, not to guess). Edit the limits here; the sign-up form and
 * its messages follow.
 */
import { COMMON_PASSWORDS_TEXT } from "./common-passwords";

/** Counted in Unicode code points, as NIST asks: "ĳ" or an emoji is one character. */
export const PASSWORD_MIN_LENGTH = 12;
/**
 * Counted in UTF-16 units, the same measure the sign-in form uses for its own cap, so every
 * password accepted here can be typed into sign-in. Bounds the argon2 input.
 */
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblemCode = "too_short" | "too_long" | "common";

export type PasswordCheck = { ok: true } | { ok: false; code: PasswordProblemCode; message: string };

let common: ReadonlySet<string> | undefined;

/** The list, parsed on first use (about 7 600 entries). */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    COMMON_PASSWORDS_TEXT.split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
  );
  return common;
}

/** True when the password is on the common list, in any letter case. */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

export function checkPassword(password: string): PasswordCheck {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    return { ok: false, code: "too_short", message: `Use at least ${PASSWORD_MIN_LENGTH} characters.` };
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return { ok: false, code: "too_long", message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` };
  }
  if (isCommonPassword(password)) {
    return {
      ok: false,
      code: "common",
      message: "This password is too common and easy to guess. Choose another one.",
    };
  }
  return { ok: true };
}
