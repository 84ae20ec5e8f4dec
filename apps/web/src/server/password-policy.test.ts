import { describe, expect, it } from "vitest";
import { COMMON_PASSWORDS_TEXT } from "./common-passwords";
import { checkPassword, isCommonPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-policy";

describe("checkPassword", () => {
  it("accepts a long, uncommon password", () => {
    expect(checkPassword("plum tractor on a windy ledge")).toEqual({ ok: true });
  });

  it("accepts exactly the minimum and the maximum length", () => {
    expect(checkPassword("k3#vQ9!zLm2p")).toEqual({ ok: true });
    expect("k3#vQ9!zLm2p").toHaveLength(PASSWORD_MIN_LENGTH);
    expect(checkPassword("Xy7!".repeat(PASSWORD_MAX_LENGTH / 4))).toEqual({ ok: true });
  });

  it("refuses a password - too short", () => {
    expect(checkPassword("k3#vQ9!zLm2")).toMatchObject({ ok: false, code: "too_short" });
    expect(checkPassword("")).toMatchObject({ ok: false, code: "too_short", message: "Use at least 12 characters." });
  });

  it("counts code points, not UTF-16 units - six emoji are six characters", () => {
    expect(checkPassword("🔑🔒🗝️🚪🏰🛡")).toMatchObject({ code: "too_short" });
    expect(checkPassword("🔑🔒🚪🏰🛡🐉🌵🎈🧭🪁🎲🦉")).toEqual({ ok: true });
  });

  it("refuses a password - too long", () => {
    expect(checkPassword(`${"Xy7!".repeat(PASSWORD_MAX_LENGTH / 4)}a`)).toMatchObject({
      ok: false,
      code: "too_long",
      message: "Use at most 128 characters.",
    });
  });

  it("refuses a password - on the common list, in any letter case", () => {
    for (const password of ["password1234", "PASSWORD1234", "Qwertyuiop123", "iloveyouforever", "123456789012"]) {
      expect(checkPassword(password), password).toMatchObject({ ok: false, code: "common" });
    }
  });

  it("checks length before the list - a short common password is 'too short'", () => {
    expect(checkPassword("password")).toMatchObject({ code: "too_short" });
  });
});

describe("the common-password list", () => {
  const entries = COMMON_PASSWORDS_TEXT.split("\n").filter(Boolean);

  it("holds between 1 000 and 10 000 lower-case entries without blanks or duplicates", () => {
    expect(entries.length).toBeGreaterThanOrEqual(1_000);
    expect(entries.length).toBeLessThanOrEqual(10_000);
    expect(new Set(entries).size).toBe(entries.length);
    for (const entry of entries) {
      expect(entry, entry).toBe(entry.toLowerCase());
      expect(entry, entry).toBe(entry.trim());
    }
  });

  it("includes the classics and leaves ordinary phrases alone", () => {
    for (const classic of ["123456", "password", "qwerty", "iloveyou", "letmein", "trustno1", "1qaz2wsx"]) {
      expect(isCommonPassword(classic), classic).toBe(true);
    }
    expect(isCommonPassword("plum tractor on a windy ledge")).toBe(false);
  });

  it("has enough entries at or above the minimum length to matter", () => {
    expect(entries.filter((entry) => [...entry].length >= PASSWORD_MIN_LENGTH).length).toBeGreaterThan(500);
  });
});
