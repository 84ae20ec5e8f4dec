import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const base = { GATEHOUSE_DATA_DIR: "/tmp/gatehouse-env-test" };
const production = { ...base, NODE_ENV: "production", AUTH_ISSUER: "https://auth.example", AUTH_JWKS: '{"keys":[]}' };

function refusal(source: Record<string, string>): EnvError {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return error as EnvError;
  }
  throw new Error("the environment was accepted");
}

describe("parseEnv", () => {
  it("starts in development with nothing set - documented defaults", () => {
    expect(parseEnv(base)).toMatchObject({
      production: false,
      issuer: "http://localhost:3000",
      accessTokenTtl: 900,
      refreshTokenTtl: 30 * 24 * 3600,
      apiKeyEnvironment: "test",
      demoUser: true,
      oidc: undefined,
      passwordHashConcurrency: undefined,
      apiKeyCacheTtlMs: 30_000,
    });
  });

  it("takes the performance settings - argon2 concurrency, API-key cache (0 turns it off)", () => {
    expect(parseEnv({ ...base, PASSWORD_HASH_CONCURRENCY: "3", API_KEY_CACHE_TTL_MS: "0" })).toMatchObject({
      passwordHashConcurrency: 3,
      apiKeyCacheTtlMs: 0,
    });
    expect(refusal({ ...base, PASSWORD_HASH_CONCURRENCY: "0" }).message).toMatch(/PASSWORD_HASH_CONCURRENCY/);
  });

  it("defaults AUTH_AUDIENCE to the issuer + /api - and takes an explicit one", () => {
    expect(parseEnv({ ...base, AUTH_ISSUER: "https://auth.example/" }).audience).toBe("https://auth.example/api");
    expect(parseEnv({ ...base, AUTH_AUDIENCE: "urn:api" }).audience).toBe("urn:api");
    expect(parseEnv({ ...base, AUTH_AUDIENCE: "" }).audience).toBe("http://localhost:3000/api");
  });

  it("refuses to start - OIDC_ISSUER without OIDC_AUDIENCE (empty counts as unset), named in the message", () => {
    for (const audience of [{}, { OIDC_AUDIENCE: "" }] as Record<string, string>[]) {
      const error = refusal({ ...base, OIDC_ISSUER: "https://sso.example", ...audience });
      expect(error.message).toMatch(/^OIDC_AUDIENCE is required when OIDC_ISSUER is set/);
    }
    const oidc = parseEnv({ ...base, OIDC_ISSUER: "https://sso.example", OIDC_AUDIENCE: "api" }).oidc;
    expect(oidc).toEqual({ issuer: "https://sso.example", audience: "api" });
  });

  it("starts in production with both secrets set", () => {
    expect(parseEnv(production)).toMatchObject({ production: true, issuer: "https://auth.example", demoUser: false });
  });

  it.each(["AUTH_ISSUER", "AUTH_JWKS"])("refuses to start in production - %s missing, named in the message", (name) => {
    const { [name as keyof typeof production]: _, ...rest } = production;
    const error = refusal(rest);
    expect(error.message).toContain(`in production: ${name}.`);
  });

  it("refuses to start in production - both missing, both named", () => {
    expect(refusal({ ...base, NODE_ENV: "production" }).message).toContain("in production: AUTH_ISSUER, AUTH_JWKS.");
  });

  it.each(["AUTH_ISSUER", "AUTH_JWKS"])("counts empty as unset - %s='' in production refuses the start", (name) => {
    expect(refusal({ ...production, [name]: "" }).message).toContain(`in production: ${name}.`);
  });

  it("counts empty as unset - empty numbers and flags take their defaults", () => {
    const config = parseEnv({
      ...base,
      ACCESS_TOKEN_TTL_SECONDS: "",
      LOGIN_THROTTLE_ACCOUNT_MAX_ATTEMPTS: "",
      GATEHOUSE_DEMO_USER: "",
      OIDC_ISSUER: "",
      DATABASE_URL: "",
    });
    expect(config).toMatchObject({ accessTokenTtl: 900, demoUser: true, oidc: undefined, databaseUrl: undefined });
    expect(config.loginThrottle.account.maxAttempts).toBe(20);
  });

  it("reads numbers - a valid value replaces the default", () => {
    expect(parseEnv({ ...base, ACCESS_TOKEN_TTL_SECONDS: "60" }).accessTokenTtl).toBe(60);
  });

  it.each(["abc", "0", "-5", "1.5", "1e400", " "])(
    "refuses an invalid number - ACCESS_TOKEN_TTL_SECONDS=%j",
    (value) => {
      expect(refusal({ ...base, ACCESS_TOKEN_TTL_SECONDS: value }).message).toMatch(
        /^Invalid environment: ACCESS_TOKEN_TTL_SECONDS: /,
      );
    },
  );

  it.each([
    ["REFRESH_TOKEN_TTL_SECONDS", "never"],
    ["LOGIN_THROTTLE_ACCOUNT_WINDOW_SECONDS", "-1"],
    ["SIGNUP_THROTTLE_GLOBAL_MAX_ATTEMPTS", "ten"],
  ])("refuses an invalid number - %s, named in the message", (name, value) => {
    expect(refusal({ ...base, [name]: value }).message).toContain(`${name}: `);
  });

  it("refuses a malformed URL or flag - named in the message", () => {
    expect(refusal({ ...base, AUTH_ISSUER: "not a url" }).message).toContain("AUTH_ISSUER: ");
    expect(refusal({ ...base, GATEHOUSE_DEMO_USER: "yes" }).message).toContain("GATEHOUSE_DEMO_USER: ");
  });
});
