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
  /** Private JWKS (JSON) used to sign access tokens; the first key signs. */
  AUTH_JWKS: optional(z.string()),
  ACCESS_TOKEN_TTL_SECONDS: seconds(900),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600),
  /** Password attempts allowed per email and IP within the window, then 429. */
  LOGIN_THROTTLE_MAX_ATTEMPTS: seconds(10),
  LOGIN_THROTTLE_WINDOW_SECONDS: seconds(300),
  /** Sign-ups allowed per address within the window, then 429-style refusal. */
  SIGNUP_THROTTLE_MAX_ATTEMPTS: seconds(10),
  SIGNUP_THROTTLE_WINDOW_SECONDS: seconds(3600),
  /** An external OIDC issuer whose tokens the API also accepts (Auth0, Keycloak, Cognito…). */
  OIDC_ISSUER: optional(z.string().url()),
  OIDC_AUDIENCE: optional(z.string()),
  /** Create the demo user at start. Default: on in development, off in production. */
  GATEHOUSE_DEMO_USER: flag,
});

export type Env = ReturnType<typeof resolve>;

function resolve(raw: z.infer<typeof schema>) {
  const production = raw.NODE_ENV === "production";
  const missing = production ? (["AUTH_ISSUER", "AUTH_JWKS"] as const).filter((name) => raw[name] === undefined) : [];
  if (missing.length) {
    throw new EnvError(
      `Missing required environment variable${missing.length > 1 ? "s" : ""} in production: ${missing.join(", ")}. ` +
        "See the README's 'Environment variables' section.",
    );
  }
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
    issuer: raw.AUTH_ISSUER ?? "http://localhost:3000",
    jwks: raw.AUTH_JWKS,
    accessTokenTtl: raw.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtl: raw.REFRESH_TOKEN_TTL_SECONDS,
    loginThrottle: { maxAttempts: raw.LOGIN_THROTTLE_MAX_ATTEMPTS, windowSeconds: raw.LOGIN_THROTTLE_WINDOW_SECONDS },
    signUpThrottle: {
      maxAttempts: raw.SIGNUP_THROTTLE_MAX_ATTEMPTS,
      windowSeconds: raw.SIGNUP_THROTTLE_WINDOW_SECONDS,
    },
    oidc: raw.OIDC_ISSUER ? { issuer: raw.OIDC_ISSUER, audience: raw.OIDC_AUDIENCE } : undefined,
    demoUser: raw.GATEHOUSE_DEMO_USER === undefined ? !production : ["1", "true"].includes(raw.GATEHOUSE_DEMO_USER),
  };
}

export class EnvError extends Error {
  override name = "EnvError";
}

let cached: Env | undefined;

/** Parses and checks the environment on first use; later calls return the same object. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new EnvError(`Invalid environment: ${problems}`);
  }
  cached = resolve(parsed.data);
  return cached;
}
