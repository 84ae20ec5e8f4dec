import { verifyPassword } from "@gatehouse/auth/password";
import { findUserByEmail } from "@gatehouse/db/users";
import { describe, expect, it } from "vitest";
import { type Env, env } from "~/env";
import { setupTestDatabase } from "~/test/database";
import { buildAuthServices } from "./auth";
import { DEFAULT_USER_SCOPES } from "./scopes";
import { signUpUser, signUpWithThrottle } from "./sign-up";

const database = setupTestDatabase();

describe("signUpUser", () => {
  it("creates the user with the default scopes and an argon2id hash of the password", async () => {
    const result = await signUpUser({ email: "New.User@example.com", password: "plum tractor on a windy ledge" });
    expect(result.ok).toBe(true);
    const stored = await findUserByEmail(database.current.db, "new.user@example.com");
    expect(stored).toMatchObject({ email: "New.User@example.com", scopes: [...DEFAULT_USER_SCOPES] });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored?.passwordHash ?? "", "plum tractor on a windy ledge")).toBe(true);
  });

  it("refuses an email taken in another letter case - a field error on email", async () => {
    await signUpUser({ email: "taken@example.com", password: "plum tractor on a windy ledge" });
    expect(await signUpUser({ email: "TAKEN@Example.com", password: "another fine passphrase" })).toEqual({
      ok: false,
      field: "email",
      code: "email_taken",
      message: "An account with this email already exists",
    });
  });

  it("refuses a weak password before touching the database - a field error on password", async () => {
    expect(await signUpUser({ email: "short@example.com", password: "short" })).toMatchObject({
      ok: false,
      field: "password",
      code: "too_short",
    });
    expect(await signUpUser({ email: "common@example.com", password: "Password1234" })).toMatchObject({
      ok: false,
      field: "password",
      code: "common",
    });
    expect(await findUserByEmail(database.current.db, "common@example.com")).toBeUndefined();
  });
});

describe("signUpWithThrottle", () => {
  const WINDOW = 3600;
  const budgets = (trustedProxyHops: number): Env => ({
    ...env(),
    trustedProxyHops,
    signUpThrottle: {
      global: { maxAttempts: 5, windowSeconds: WINDOW },
      address: { maxAttempts: 2, windowSeconds: WINDOW },
    },
  });
  let run = 0;
  // A weak password: refused before any hashing, and still counted, like every attempt.
  const attempt = (services: Awaited<ReturnType<typeof buildAuthServices>>, xff: string) =>
    signUpWithThrottle(services, {
      email: `bot${++run}@example.com`,
      password: "short",
      headers: new Headers({ "x-forwarded-for": xff }),
    });
  const throttled = (results: { ok: boolean; code?: string }[]) => results.filter((r) => r.code === "throttled").length;

  it("holds a global budget whatever X-Forwarded-For says, until the window slides", async () => {
    const clock = { now: Date.parse("2031-01-01T00:00:00Z") };
    const services = await buildAuthServices({ config: budgets(0), now: () => clock.now });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(services, `198.51.100.${i}`)));
    expect(throttled(results)).toBe(12 - 5);
    expect(await attempt(services, "192.0.2.1")).toMatchObject({ ok: false, code: "throttled" });
    clock.now += WINDOW * 1000;
    expect(await attempt(services, "192.0.2.1")).toMatchObject({ ok: false, code: "too_short" });
  });

  it("behind a trusted proxy, also limits each address, and the global budget still caps changing addresses", async () => {
    const clock = { now: Date.parse("2032-01-01T00:00:00Z") };
    const services = await buildAuthServices({ config: budgets(1), now: () => clock.now });
    const one = [await attempt(services, "203.0.113.1"), await attempt(services, "203.0.113.1")];
    expect(throttled(one)).toBe(0);
    const refused = await attempt(services, "203.0.113.1");
    expect(refused).toMatchObject({ ok: false, code: "throttled" });
    // The client's own entries left of the proxy's do not make it someone else.
    expect(await attempt(services, "6.6.6.6, 203.0.113.1")).toMatchObject({ ok: false, code: "throttled" });
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(services, `198.51.100.${i}`)));
    expect(throttled(others)).toBe(10 - 3);
  });
});
