/**
 * Password guessing as an attacker tries it against `next start`: many guesses at one
 * account at once, each claiming another address in X-Forwarded-For, through the real token
 * endpoint handler and through the sign-in form's code path (issue #10 §1).
 */
import { describe, expect, it } from "vitest";
import { type Env, env } from "~/env";
import { setupTestDatabase } from "~/test/database";
import { createTestUser } from "~/test/users";
import { type AuthServices, buildAuthServices } from "./auth";
import { signInWithPassword } from "./sign-in";

const database = setupTestDatabase();
const GUESSES = 60;

/** The app's own wiring, on a clock the test moves. */
async function app(config: Env) {
  const clock = { now: Date.parse("2030-01-01T00:00:00Z") };
  const services = await buildAuthServices({ config, now: () => clock.now });
  return { services, clock };
}

const forgedAddress = (i: number) => `198.51.${Math.floor(i / 250)}.${i % 250}`;

function token(services: AuthServices, username: string, password: string, xff: string): Promise<Response> {
  return services.tokenEndpoint(
    new Request("http://localhost:3000/api/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": xff },
      body: new URLSearchParams({ grant_type: "password", username, password }).toString(),
    }),
  );
}

const settings: [string, Env][] = [
  ["no trusted proxy (the default)", env()],
  ["one trusted proxy", { ...env(), trustedProxyHops: 1 }],
];

describe.each(settings)("password guessing with %s", (_name, config) => {
  const budget = config.loginThrottle.account.maxAttempts;
  const window = config.loginThrottle.account.windowSeconds;

  it("token endpoint: 60 parallel guesses from 60 claimed addresses get at most the account budget, then 429 even for the right password, until the window slides", async () => {
    const { services, clock } = await app(config);
    const user = await createTestUser(database.current.db);
    const answers = await Promise.all(
      Array.from({ length: GUESSES }, (_, i) => token(services, user.email, `wrong guess ${i}`, forgedAddress(i))),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 429)).toHaveLength(budget);
    expect(new Set(statuses)).toEqual(new Set([400, 429]));
    for (const answer of answers.filter((r) => r.status === 429)) {
      const retryAfter = Number(answer.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(window);
    }

    const right = await token(services, user.email, user.password, "203.0.113.200");
    expect(right.status).toBe(429);
    expect(await right.json()).toMatchObject({ error: "invalid_request" });

    clock.now += window * 1000;
    expect((await token(services, user.email, user.password, "203.0.113.200")).status).toBe(200);
  });

  it("token endpoint: an unknown account is budgeted exactly like a real one - no enumeration", async () => {
    const { services } = await app(config);
    const user = await createTestUser(database.current.db);
    const guess = (username: string) =>
      Promise.all(Array.from({ length: GUESSES }, (_, i) => token(services, username, `guess ${i}`, forgedAddress(i))));
    const known = await guess(user.email);
    const unknown = await guess(`nobody-${user.id}@example.com`);
    const count = (answers: Response[]) => answers.filter((r) => r.status !== 429).length;
    expect(count(unknown)).toBe(count(known));
    expect(await unknown[GUESSES - 1]?.text()).toBe(await known[GUESSES - 1]?.text());
  });

  it("sign-in form: 60 parallel guesses get at most the account budget, then the right password is refused as throttled, until the window slides", async () => {
    const { services, clock } = await app(config);
    const user = await createTestUser(database.current.db);
    const attempt = (password: string, xff: string) =>
      signInWithPassword(services, {
        email: user.email,
        password,
        headers: new Headers({ "x-forwarded-for": xff }),
      });
    const results = await Promise.all(
      Array.from({ length: GUESSES }, (_, i) => attempt(`wrong ${i}`, forgedAddress(i))),
    );
    expect(results.filter((r) => !(!r.ok && r.code === "throttled"))).toHaveLength(budget);

    expect(await attempt(user.password, "203.0.113.201")).toMatchObject({ ok: false, code: "throttled" });
    clock.now += window * 1000;
    expect(await attempt(user.password, "203.0.113.201")).toMatchObject({ ok: true, user: { id: user.id } });
  });

  it("the form and the token endpoint share one budget per account", async () => {
    const { services } = await app(config);
    const user = await createTestUser(database.current.db);
    for (let i = 0; i < budget; i++) {
      const headers = new Headers({ "x-forwarded-for": forgedAddress(i) });
      await signInWithPassword(services, { email: user.email, password: `wrong ${i}`, headers });
    }
    expect((await token(services, user.email.toUpperCase(), user.password, "203.0.113.202")).status).toBe(429);
  });
});
