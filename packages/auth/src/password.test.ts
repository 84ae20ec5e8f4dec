import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, OWASP_ARGON2ID, verifyAgainstDummy, verifyPassword } from "./password";

const PASSWORD = "correct horse battery staple";
// A cheap, valid argon2id hash with older parameters (the kind a rehash replaces).
const WEAK = { memoryCost: 4096, timeCost: 1, parallelism: 1 };

describe("hashPassword", () => {
  it("uses argon2id with OWASP's minimum - m=19456 KiB, t=2, p=1 (as the README says)", async () => {
    expect(OWASP_ARGON2ID).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  });

  it("salts every hash - the same password twice gives two hashes", async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD, WEAK), hashPassword(PASSWORD, WEAK)]);
    expect(a).not.toBe(b);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password and refuses a wrong one", async () => {
    const hash = await hashPassword(PASSWORD, WEAK);
    expect(await verifyPassword(hash, PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, `${PASSWORD} `)).toBe(false);
    expect(await verifyPassword(hash, "")).toBe(false);
  });

  it("refuses, never throws - a hash that is not argon2", async () => {
    for (const hash of ["", "x", "$2b$12$abcdefghijklmnopqrstuv", "$argon2id$v=19$m=19456,t=2,p=1$bad"]) {
      expect(await verifyPassword(hash, PASSWORD)).toBe(false);
    }
  });
});

describe("needsRehash", () => {
  it("keeps a hash with the current parameters", async () => {
    expect(needsRehash(await hashPassword(PASSWORD))).toBe(false);
  });

  it.each([
    ["lower memory", "$argon2id$v=19$m=4096,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA"],
    ["fewer passes", "$argon2id$v=19$m=19456,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA"],
    ["other parallelism", "$argon2id$v=19$m=19456,t=2,p=4$c2FsdHNhbHRzYWx0$aGFzaA"],
    ["argon2i", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA"],
    ["argon2 v1.0", "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA"],
    ["bcrypt", "$2b$12$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQ"],
    ["garbage", "not a hash"],
  ])("replaces a hash - %s", (_, hash) => {
    expect(needsRehash(hash)).toBe(true);
  });

  it("replaces a hash made with the weaker parameters", async () => {
    expect(needsRehash(await hashPassword(PASSWORD, WEAK))).toBe(true);
  });
});

describe("verifyAgainstDummy", () => {
  it("is always false - whatever the password", async () => {
    for (const password of [PASSWORD, "", "x".repeat(200)]) expect(await verifyAgainstDummy(password)).toBe(false);
  });
});
