/**
 * The environment, validated once. Nothing else reads `process.env`.
 * Empty strings count as unset. In production, secrets have no defaults: a missing one
 * stops the start with a message naming the variable.
 */
import path from "node:path";
import { z } from "zod";
import { findProjectRoot } from "./server/project-root";

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());
const seconds = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback));
const flag = z.preprocess(emptyAsUndefined, z.enum(["0", "1", "true", "false"]).optional());

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** postgres:// URL; unset → the embedded PGlite database in GATEHOUSE_DATA_DIR. */
  DATABASE_URL: optional(z.string().url()),
  /** Seconds to wait for a database connection before answering 503 (postgres.js `connect_timeout`). */
  DATABASE_CONNECT_TIMEOUT_SECONDS: seconds(5),
  /** Longest an app query may run (Postgres `statement_timeout`) before it is cancelled and answered 503. */
  DATABASE_STATEMENT_TIMEOUT_MS: seconds(5000),
  /** Longest a tRPC procedure may take before the caller gets 503 + Retry-After (e.g. queued while the database is down). */
  REQUEST_TIMEOUT_MS: seconds(8000),
  /** Folder for the embedded database and development keys. Default: `<repo>/.data`. */
  GATEHOUSE_DATA_DIR: optional(z.string()),
  /** `iss` of our tokens and the discovery `issuer`; the app's public origin. */
  AUTH_ISSUER: optional(z.string().url()),
  /**
   * `aud` of our access tokens, which our verifier requires (RFC 9068 §2.2; RFC 8725 §3.9).
   * Default: the issuer + `/api`, so a token is never taken for one meant for another audience.
   */
  AUTH_AUDIENCE: optional(z.string().min(1)),
  /** Private JWKS (JSON) used to sign access tokens; the first key signs. */
  AUTH_JWKS: optional(z.string()),
  ACCESS_TOKEN_TTL_SECONDS: seconds(900),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600),
  /** A sign-in's absolute lifetime: no refresh-token rotation extends a family past it. */
  REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: seconds(90 * 24 * 3600),
  /**
   * Proxies in front of the app that each append to X-Forwarded-For; 0 = none, the header is
   * ignored and there is no per-client address (see server/client-address.ts).
   */
  TRUSTED_PROXY_HOPS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10).default(0)),
  /** Failed password attempts per account (normalised email), whatever the address, per window. */
  LOGIN_THROTTLE_ACCOUNT_MAX_ATTEMPTS: seconds(20),
  LOGIN_THROTTLE_ACCOUNT_WINDOW_SECONDS: seconds(900),
  /** Failed password attempts per address and account (needs a trusted proxy). */
  LOGIN_THROTTLE_PAIR_MAX_ATTEMPTS: seconds(10),
  LOGIN_THROTTLE_PAIR_WINDOW_SECONDS: seconds(300),
  /** Failed password attempts per address, over all accounts (needs a trusted proxy). */
  LOGIN_THROTTLE_ADDRESS_MAX_ATTEMPTS: seconds(100),
  LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS: seconds(900),
  /** Sign-up attempts in all, and per address (needs a trusted proxy), per window. */
  SIGNUP_THROTTLE_GLOBAL_MAX_ATTEMPTS: seconds(100),
  SIGNUP_THROTTLE_ADDRESS_MAX_ATTEMPTS: seconds(10),
  SIGNUP_THROTTLE_WINDOW_SECONDS: seconds(3600),
  /** An external OIDC issuer whose tokens the API also accepts (Auth0, Keycloak, Cognito…). */
  OIDC_ISSUER: optional(z.string().url()),
  /** Required with OIDC_ISSUER: the `aud` its tokens for this API carry. */
  OIDC_AUDIENCE: optional(z.string()),
  /** Most argon2 password hashes at once (logins, sign-ups). Default: every core but one, at least 1. */
  PASSWORD_HASH_CONCURRENCY: optional(z.coerce.number().int().positive()),
  /** How long a verified API key is answered from memory (ms); 0 = every request asks the database. */
  API_KEY_CACHE_TTL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(30_000)),
  /** Create the demo user at start. Default: on in development, off in production; `1` in production stops the start. */
  GATEHOUSE_DEMO_USER: flag,
  /**
   * Development only: the longest a client of the embedded database's socket (the CLI, a
   * second dev server) may hold its one session before it is cut off and the app proceeds.
   */
  GATEHOUSE_PGLITE_HOLD_SECONDS: seconds(30),
  /** Lowest level written: fatal, error, warn, info (default), debug, trace, silent. */
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  /** `json` (one object per line; default outside development) or `pretty` (readable; default in development). */
  LOG_FORMAT: optional(z.enum(["json", "pretty"])),
  /** Days the security log keeps an event; `pnpm gatehouse cleanup` prunes older ones behind a signed checkpoint. */
  AUTH_EVENTS_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(90)),
});

export type Env = ReturnType<typeof resolve>;

const budget = (maxAttempts: number, windowSeconds: number) => ({ maxAttempts, windowSeconds });

// Renamed when the one (address, email) budget became three: an operator's old setting must
// not be silently ignored.
const RENAMED = {
  LOGIN_THROTTLE_MAX_ATTEMPTS: "LOGIN_THROTTLE_PAIR_MAX_ATTEMPTS (and _ACCOUNT_, _ADDRESS_)",
  LOGIN_THROTTLE_WINDOW_SECONDS: "LOGIN_THROTTLE_PAIR_WINDOW_SECONDS (and _ACCOUNT_, _ADDRESS_)",
  SIGNUP_THROTTLE_MAX_ATTEMPTS: "SIGNUP_THROTTLE_ADDRESS_MAX_ATTEMPTS and SIGNUP_THROTTLE_GLOBAL_MAX_ATTEMPTS",
} as const;

function resolve(raw: z.infer<typeof schema>) {
  const production = raw.NODE_ENV === "production";
  const missing = production ? (["AUTH_ISSUER", "AUTH_JWKS"] as const).filter((name) => raw[name] === undefined) : [];
  if (missing.length) {
    throw new EnvError(
      `Missing required environment variable${missing.length > 1 ? "s" : ""} in production: ${missing.join(", ")}. ` +
        "See the README's 'Environment variables' section.",
    );
  }
  if (raw.OIDC_ISSUER !== undefined && raw.OIDC_AUDIENCE === undefined) {
    // Without an audience check, any token that issuer signs for any of its clients would be ours (RFC 8725 §3.9).
    throw new EnvError(
      "OIDC_AUDIENCE is required when OIDC_ISSUER is set: the `aud` the external issuer puts in tokens meant for this API.",
    );
  }
  const demoUser =
    raw.GATEHOUSE_DEMO_USER === undefined ? !production : ["1", "true"].includes(raw.GATEHOUSE_DEMO_USER);
  if (production && demoUser) {
    // Its password is printed in the README and on the login page: anyone could sign in.
    throw new EnvError(
      "GATEHOUSE_DEMO_USER is refused in production: the demo account's password is public. " +
        "Unset it (sign up real users), or run with NODE_ENV=development.",
    );
  }
  const issuer = raw.AUTH_ISSUER ?? "http://localhost:3000";
  const dataDir = raw.GATEHOUSE_DATA_DIR ?? path.join(/*turbopackIgnore: true*/ findProjectRoot(), ".data");
  return {
    production,
    databaseUrl: raw.DATABASE_URL,
    databaseConnectTimeoutSeconds: raw.DATABASE_CONNECT_TIMEOUT_SECONDS,
    databaseStatementTimeoutMs: raw.DATABASE_STATEMENT_TIMEOUT_MS,
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
    dataDir: path.resolve(/*turbopackIgnore: true*/ dataDir),
    /** The embedded database's folder (used when `databaseUrl` is unset). */
    pgliteDir: path.resolve(/*turbopackIgnore: true*/ dataDir, "pglite"),
    /** Environment segment of API keys minted here (`gk_live_…` / `gk_test_…`); the only one accepted. */
    apiKeyEnvironment: production ? "live" : "test",
    issuer,
    audience: raw.AUTH_AUDIENCE ?? `${issuer.replace(/\/$/, "")}/api`,
    jwks: raw.AUTH_JWKS,
    accessTokenTtl: raw.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtl: raw.REFRESH_TOKEN_TTL_SECONDS,
    refreshTokenAbsoluteTtl: raw.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS,
    trustedProxyHops: raw.TRUSTED_PROXY_HOPS,
    loginThrottle: {
      account: budget(raw.LOGIN_THROTTLE_ACCOUNT_MAX_ATTEMPTS, raw.LOGIN_THROTTLE_ACCOUNT_WINDOW_SECONDS),
      pair: budget(raw.LOGIN_THROTTLE_PAIR_MAX_ATTEMPTS, raw.LOGIN_THROTTLE_PAIR_WINDOW_SECONDS),
      address: budget(raw.LOGIN_THROTTLE_ADDRESS_MAX_ATTEMPTS, raw.LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS),
    },
    signUpThrottle: {
      global: budget(raw.SIGNUP_THROTTLE_GLOBAL_MAX_ATTEMPTS, raw.SIGNUP_THROTTLE_WINDOW_SECONDS),
      address: budget(raw.SIGNUP_THROTTLE_ADDRESS_MAX_ATTEMPTS, raw.SIGNUP_THROTTLE_WINDOW_SECONDS),
    },
    oidc: raw.OIDC_ISSUER && raw.OIDC_AUDIENCE ? { issuer: raw.OIDC_ISSUER, audience: raw.OIDC_AUDIENCE } : undefined,
    demoUser,
    authEventsRetentionDays: raw.AUTH_EVENTS_RETENTION_DAYS,
    /** `undefined`: the core's default, `max(1, cores − 1)`. */
    passwordHashConcurrency: raw.PASSWORD_HASH_CONCURRENCY,
    apiKeyCacheTtlMs: raw.API_KEY_CACHE_TTL_MS,
    /**
     * Serve the embedded database to other local processes (the CLI), behind the password in
     * its 0600 lock file: development only, so a production server's data is nobody else's.
     */
    pgliteServe: production ? undefined : { holdLimitMs: raw.GATEHOUSE_PGLITE_HOLD_SECONDS * 1000 },
    log: {
      level: raw.LOG_LEVEL,
      format: raw.LOG_FORMAT ?? (raw.NODE_ENV === "development" ? "pretty" : "json"),
    },
  };
}

export class EnvError extends Error {
  override name = "EnvError";
}

let cached: Env | undefined;

/** Parses and checks the environment on first use; later calls return the same object. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The checks behind `env()`, on any variables (tests pass their own); throws `EnvError`. */
export function parseEnv(source: Readonly<Record<string, string | undefined>>): Env {
  const renamed = Object.entries(RENAMED).filter(([name]) => emptyAsUndefined(source[name]) !== undefined);
  if (renamed.length) {
    throw new EnvError(`Renamed environment variables: ${renamed.map(([from, to]) => `${from} → ${to}`).join("; ")}.`);
  }
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new EnvError(`Invalid environment: ${problems}`);
  }
  return resolve(parsed.data);
}

/** The variables and their defaults, for the `.env.example` drift test. */
export { schema as envSchema };
