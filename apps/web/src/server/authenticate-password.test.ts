/**
 * authenticatePassword as sign-in uses it (the form and the token endpoint): a hash with
 * older parameters is replaced after a good password, and an unknown email costs what a
 * wrong password costs (a real argon2 verify against a dummy hash).
 */
import { hashPassword, needsRehash, verifyPassword } from "@gatehouse/auth/password";
import { findUserById, setUserDisabled, updateUserPasswordHash } from "@gatehouse/db/users";
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createTestUser } from "~/test/users";
import { authenticatePassword } from "./auth";

const database = setupTestDatabase();
const OLD_PARAMS = { memoryCost: 4096, timeCost: 1, parallelism: 1 };

async function userWithOldHash(password: string) {
  const user = await createTestUser(database.current.db, { password });
  await updateUserPasswordHash(database.current.db, user.id, await hashPassword(password, OLD_PARAMS));
  return user;
}

const storedHash = async (id: string) => (await findUserById(database.current.db, id))?.passwordHash ?? "";

describe("authenticatePassword - rehash at sign-in", () => {
  it("replaces a hash made with older parameters - after the right password, with the current ones", async () => {
    const user = await userWithOldHash("an old but good password");
    expect(needsRehash(await storedHash(user.id))).toBe(true);
    expect(await authenticatePassword(user.email, "an old but good password")).toMatchObject({ id: user.id });
    const rehashed = await storedHash(user.id);
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(rehashed, "an old but good password")).toBe(true);
  });

  it("keeps the old hash - wrong password, or a disabled account", async () => {
    const wrong = await userWithOldHash("the right password here");
    const before = await storedHash(wrong.id);
    expect(await authenticatePassword(wrong.email, "not the right password")).toBeNull();
    expect(await storedHash(wrong.id)).toBe(before);

    const disabled = await userWithOldHash("a disabled user's password");
    await setUserDisabled(database.current.db, disabled.id, true);
    const disabledBefore = await storedHash(disabled.id);
    expect(await authenticatePassword(disabled.email, "a disabled user's password")).toBeNull();
    expect(await storedHash(disabled.id)).toBe(disabledBefore);
  });

  it("leaves a current hash alone", async () => {
    const user = await createTestUser(database.current.db, { password: "a current good password" });
    const before = await storedHash(user.id);
    expect(await authenticatePassword(user.email, "a current good password")).toMatchObject({ id: user.id });
    expect(await storedHash(user.id)).toBe(before);
  });
});

describe("authenticatePassword - unknown email", () => {
  it("answers null, like a wrong password", async () => {
    expect(await authenticatePassword("nobody-at-all@example.com", "whatever it is")).toBeNull();
  });

  // A ratio of medians over interleaved rounds, not a wall-clock threshold: without the dummy
  // verify an unknown email answers after one indexed SELECT, dozens of times sooner.
  it("takes alike time as a wrong password - median ratio within 0.5-2 over interleaved runs (statistical)", async () => {
    const user = await createTestUser(database.current.db, { password: "the real password" });
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      expect(await authenticatePassword(email, "a wrong password")).toBeNull();
      return Number(process.hrtime.bigint() - start);
    };
    await time("warm-up@example.com"); // the dummy hash is made once, on first use
    await time(user.email);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let round = 0; round < 15; round++) {
      // Alternate which goes first, so drift in machine load falls on both sides alike.
      if (round % 2) {
        unknown.push(await time(`nobody-${round}@example.com`));
        wrong.push(await time(user.email));
      } else {
        wrong.push(await time(user.email));
        unknown.push(await time(`nobody-${round}@example.com`));
      }
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
