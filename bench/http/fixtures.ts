/**
 * What every bench:http server needs before it starts: a migrated database (a fresh Postgres
 * database, or a fresh PGlite folder) with one user, their API keys, and tokens signed with
 * the key set the server is given (`AUTH_JWKS`). The PGlite folder is closed again before the
 * server opens it: one process owns it at a time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { issueApiKey } from "@gatehouse/auth/api-key";
import { createJwtIssuer, generateJwk, importKeySet, type JwtIssuer } from "@gatehouse/auth/jwt";
import { hashPassword } from "@gatehouse/auth/password";
import { insertApiKey } from "@gatehouse/db/api-keys";
import { createDb, type Db } from "@gatehouse/db/client";
import { apiKeys } from "@gatehouse/db/schema";
import { createTestDatabase } from "@gatehouse/db/testing";
import { createUser } from "@gatehouse/db/users";

export const EMAIL = "bench@example.com";
export const PASSWORD = "correct horse battery staple";

export interface Fixtures {
  /** Environment for the server: database, issuer, keys. */
  env: Record<string, string>;
  userId: string;
  apiKey: string;
  /** Extra distinct keys of the same user (memory run). */
  moreApiKeys: string[];
  issuer: JwtIssuer;
  cleanup(): Promise<void>;
}

async function seed(db: Db, extraKeys: number) {
  const user = await createUser(db, { email: EMAIL, passwordHash: await hashPassword(PASSWORD), scopes: ["notes:*"] });
  const main = issueApiKey({ scopes: ["notes:read"], ownerScopes: user.scopes });
  await insertApiKey(db, {
    userId: user.id,
    name: "bench",
    keyHash: main.hash,
    start: main.start,
    scopes: main.scopes,
  });
  const more: string[] = [];
  for (let done = 0; done < extraKeys; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, extraKeys - done) }, () =>
      issueApiKey({ scopes: ["notes:read"], ownerScopes: user.scopes }),
    );
    await db.insert(apiKeys).values(
      batch.map((k, i) => ({
        userId: user.id,
        name: `bench-${done + i}`,
        keyHash: k.hash,
        start: k.start,
        scopes: [...k.scopes],
      })),
    );
    more.push(...batch.map((k) => k.key));
  }
  return { userId: user.id, apiKey: main.key, moreApiKeys: more };
}

export async function prepareFixtures(options: {
  database: "postgres" | "pglite";
  origin: string;
  extraKeys: number;
}): Promise<Fixtures> {
  const jwk = await generateJwk("ES256");
  const keySet = await importKeySet({ keys: [jwk] });
  const audience = `${options.origin}/api`;
  const issuer = createJwtIssuer({ keySet, issuer: options.origin, audience, clientId: "gatehouse" });
  const env: Record<string, string> = {
    AUTH_ISSUER: options.origin,
    AUTH_JWKS: JSON.stringify({ keys: [jwk] }),
    // Logins in the burst run must not be throttled; they all succeed anyway (only failures count).
    LOGIN_THROTTLE_ACCOUNT_MAX_ATTEMPTS: "100000",
  };
  if (options.database === "postgres") {
    process.env.GATEHOUSE_TEST_PG_URL ||= "postgres://postgres@127.0.0.1:5432/postgres";
    const database = await createTestDatabase();
    const seeded = await seed(database.db, options.extraKeys);
    return {
      ...seeded,
      issuer,
      env: { ...env, DATABASE_URL: database.url as string },
      cleanup: () => database.cleanup(),
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), "gatehouse-bench-http-"));
  const database = await createDb({ dataDir: path.join(dataDir, "pglite") });
  let seeded: Awaited<ReturnType<typeof seed>>;
  try {
    seeded = await seed(database.db, options.extraKeys);
  } finally {
    await database.close();
  }
  return {
    ...seeded,
    issuer,
    env: { ...env, GATEHOUSE_DATA_DIR: dataDir },
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** `count` distinct access tokens for the user, as our token endpoint would issue them. */
export async function signTokens(fixtures: Fixtures, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 500) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, () =>
        fixtures.issuer.createAccessToken({ sub: fixtures.userId, scope: "notes:read", amr: ["pwd"] }),
      ),
    );
    tokens.push(...batch.map((t) => t.access_token));
  }
  return tokens;
}
