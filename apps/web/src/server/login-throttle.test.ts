import { createDb, type Database } from "@gatehouse/db/client";
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createThrottle, passwordThrottleKey } from "./login-throttle";

const database = setupTestDatabase();

function throttle(now: () => number, db: () => Promise<Database> = () => Promise.resolve(database.current)) {
  return createThrottle({ database: db, maxAttempts: 3, windowSeconds: 60, now });
}

describe("database throttle", () => {
  it("refuses after maxAttempts failures, with Retry-After until the oldest leaves the window", async () => {
    let clock = 1_000_000;
    const t = throttle(() => clock);
    const key = passwordThrottleKey("10.0.0.1", "Ada@Example.com");
    for (let i = 0; i < 3; i++) {
      expect((await t.check(key)).allowed).toBe(true);
      await t.record(key, "failure");
      clock += 10_000;
    }
    expect(await t.check(key)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    clock += 30_000;
    expect((await t.check(key)).allowed).toBe(true);
  });

  it("clears the key on success", async () => {
    const t = throttle(() => 5_000_000);
    const key = passwordThrottleKey("10.0.0.2", "grace@example.com");
    for (let i = 0; i < 3; i++) await t.record(key, "failure");
    expect((await t.check(key)).allowed).toBe(false);
    await t.record(key, "success");
    expect((await t.check(key)).allowed).toBe(true);
  });

  it("is shared by instances: failures counted by one refuse at the other", async () => {
    // On Postgres the second instance has its own connection pool; on PGlite one database is all there is.
    const url = database.current.url;
    const second = url ? await createDb({ url, maxConnections: 1, migrate: false }) : database.current;
    try {
      const a = throttle(() => 9_000_000);
      const b = throttle(
        () => 9_000_000,
        () => Promise.resolve(second),
      );
      const key = passwordThrottleKey("10.0.0.3", "linus@example.com");
      for (let i = 0; i < 3; i++) await a.record(key, "failure");
      expect((await b.check(key)).allowed).toBe(false);
    } finally {
      if (second !== database.current) await second.close();
    }
  });

  it("keys by address and email, case-insensitively for the email", () => {
    expect(passwordThrottleKey("::1", " Ada@Example.com ")).toBe("password:%3A%3A1:ada%40example.com");
  });
});
