import type { PasswordThrottle } from "@gatehouse/auth/token-endpoint";
import { createDb, type Database } from "@gatehouse/db/client";
import { lowerCasedCodePoints } from "@gatehouse/db/testing";
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createAttemptThrottle } from "./attempt-throttle";
import { accountKey, createLoginThrottle } from "./login-throttle";

const database = setupTestDatabase();

const BUDGETS = {
  account: { maxAttempts: 6, windowSeconds: 600 },
  pair: { maxAttempts: 3, windowSeconds: 60 },
  address: { maxAttempts: 8, windowSeconds: 600 },
};

function throttle(now: () => number, db: () => Promise<Database> = () => Promise.resolve(database.current)) {
  return createLoginThrottle({ attempts: createAttemptThrottle({ database: db, now }), budgets: BUDGETS });
}

async function fail(t: PasswordThrottle, username: string, address: string | null) {
  const decision = await t.reserve({ username, address });
  if (decision.allowed) await decision.settle?.("failure");
  return decision.allowed;
}

describe("login throttle", () => {
  it("refuses an account after its budget whatever the address, until the window slides", async () => {
    let clock = 1_000_000;
    const t = throttle(() => clock);
    for (let i = 0; i < 6; i++) {
      expect(await fail(t, "ada@example.com", i % 2 ? null : `198.51.100.${i}`)).toBe(true);
      clock += 10_000;
    }
    expect(await t.reserve({ username: "ADA@example.com", address: "203.0.113.99" })).toEqual({
      allowed: false,
      retryAfterSeconds: 540,
    });
    clock += 540_000;
    expect((await t.reserve({ username: "ada@example.com", address: null })).allowed).toBe(true);
  });

  it("refuses one address's guesses at an account before the account budget, leaving others their share", async () => {
    const t = throttle(() => 2_000_000);
    for (let i = 0; i < 3; i++) expect(await fail(t, "grace@example.com", "203.0.113.1")).toBe(true);
    expect((await t.reserve({ username: "grace@example.com", address: "203.0.113.1" })).allowed).toBe(false);
    expect((await t.reserve({ username: "grace@example.com", address: "203.0.113.2" })).allowed).toBe(true);
  });

  it("refuses one address trying many accounts", async () => {
    const t = throttle(() => 3_000_000);
    for (let i = 0; i < 8; i++) expect(await fail(t, `user${i}@example.com`, "203.0.113.3")).toBe(true);
    expect((await t.reserve({ username: "fresh@example.com", address: "203.0.113.3" })).allowed).toBe(false);
    expect((await t.reserve({ username: "fresh@example.com", address: "203.0.113.4" })).allowed).toBe(true);
  });

  it("a success gives its attempt back and clears its address's budget, not other addresses' failures", async () => {
    const t = throttle(() => 4_000_000);
    for (let i = 0; i < 2; i++) await fail(t, "linus@example.com", "203.0.113.5");
    await fail(t, "linus@example.com", "203.0.113.6");
    const success = await t.reserve({ username: "linus@example.com", address: "203.0.113.5" });
    if (!success.allowed) throw new Error("expected an attempt");
    await success.settle?.("success");
    // Account 3, .5's pair 0: three more from .5 fit only if the success cost nothing (else the
    // account overflows) and cleared .5's pair (else the second overflows it).
    // They fill the account (6) because .6's failure still counts in it.
    expect(await fail(t, "linus@example.com", "203.0.113.5")).toBe(true);
    expect(await fail(t, "linus@example.com", "203.0.113.5")).toBe(true);
    expect(await fail(t, "linus@example.com", "203.0.113.5")).toBe(true);
    expect((await t.reserve({ username: "linus@example.com", address: "203.0.113.7" })).allowed).toBe(false);
  });

  it("budgets an overlong username like any other - its key stays storable, so the guess is counted, not a 503", async () => {
    // A 3 000-character username (the token endpoint takes any length) once made the key too
    // large for the btree index on auth_attempts: every such guess failed as "unavailable".
    const t = throttle(() => 5_000_000);
    // Incompressible (a long run of one letter would be compressed into the index and fit).
    let seed = 1;
    const letters = Array.from({ length: 3000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return "abcdefghijklmnopqrstuvwxyz0123456789"[seed % 36];
    });
    const long = `${letters.join("")}@example.com`;
    for (let i = 0; i < 3; i++) expect(await fail(t, long, "203.0.113.8")).toBe(true);
    // Spellings of it still share its budget.
    expect((await t.reserve({ username: long.toUpperCase(), address: "203.0.113.8" })).allowed).toBe(false);
  });

  it("is shared by instances: attempts counted by one refuse at the other", async () => {
    // On Postgres the second instance has its own connection pool; on PGlite one database is all there is.
    const url = database.current.url;
    const second = url ? await createDb({ url, maxConnections: 1, migrate: false }) : database.current;
    try {
      const a = throttle(() => 9_000_000);
      const b = throttle(
        () => 9_000_000,
        () => Promise.resolve(second),
      );
      for (let i = 0; i < 6; i++) await fail(a, "margaret@example.com", null);
      expect((await b.reserve({ username: "margaret@example.com", address: null })).allowed).toBe(false);
    } finally {
      if (second !== database.current) await second.close();
    }
  });
});

describe("accountKey", () => {
  it("folds case, spacing and marks, so spellings of one email share one budget", () => {
    expect(accountKey(" Ada@Example.COM ")).toBe(accountKey("ada@example.com"));
    expect(accountKey("admİn@example.com")).toBe(accountKey("admin@example.com"));
    expect(accountKey("ΟΔΟΣ@example.com")).toBe(accountKey("οδοσ@example.com"));
    expect(accountKey("\ud800@example.com")).toBe(accountKey("\ufffd@example.com"));
  });

  it("is at least as coarse as this database's lower() - every code point it lower-cases keys alike", async () => {
    // What findUserByEmail matches: lower(email) = lower(input). On PGlite (C locale) that is
    // ASCII only; on Postgres with a UTF-8 locale about 1 400 code points, U+0130 among them.
    const rows = await lowerCasedCodePoints(database.current.db);
    expect(rows.length).toBeGreaterThanOrEqual(26);
    const split = rows.filter(
      ([c, lower]) => accountKey(String.fromCodePoint(c)) !== accountKey(String.fromCodePoint(lower)),
    );
    expect(split.map(([c]) => c.toString(16))).toEqual([]);
  });
});
