/**
 * End to end: the auth core's API-key verifier on these queries, with revocation carried
 * between instances by LISTEN/NOTIFY. On real Postgres the two instances have their own
 * connection pools (as two app processes would); on PGlite they share the one database and
 * the notification is delivered in-process.
 *
 * Why a relative import of @gatehouse/auth: this package must not depend on auth, and auth
 * must not depend on drizzle; this is the one test that needs both, and it belongs in the DB
 * test legs (PGlite and Postgres). Move it to a package that depends on both (apps/web) or
 * give this package a workspace devDependency on @gatehouse/auth when one is added.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../auth/src/api-key";
import {
  API_KEY_REVOKED_CHANNEL,
  type ApiKeyStore,
  type ApiKeyVerifier,
  createApiKeyVerifier,
  subscribeToRevocations,
} from "../../auth/src/api-key-verifier";
import { findApiKeyByHash, insertApiKey, revokeApiKey, touchApiKeys } from "./api-keys";
import { createDb, type Database, type Db } from "./client";
import { createTestDatabase, type TestDatabase } from "./testing";
import { createUser } from "./users";

/** What apps/web/src/server/auth.ts does: the store port on the db queries. */
function apiKeyStore(db: Db): ApiKeyStore {
  return {
    async findByHash(hash) {
      const row = await findApiKeyByHash(db, hash);
      return row ? { ...row, ownerDisabled: row.ownerDisabledAt !== null } : null;
    },
    async touch(ids, at) {
      await touchApiKeys(db, ids, at);
    },
  };
}

interface Instance {
  database: Database;
  verifier: ApiKeyVerifier;
  /** Resolves with the next reference this instance's subscription receives. */
  nextRevocation(): Promise<string>;
  unsubscribe(): Promise<void>;
}

async function startInstance(database: Database): Promise<Instance> {
  const verifier = createApiKeyVerifier({ store: apiKeyStore(database.db) });
  let waiting: ((ref: string) => void)[] = [];
  const unsubscribe = await subscribeToRevocations({
    listen: (channel, onPayload) => database.listen(channel, onPayload),
    verifiers: [
      verifier,
      {
        invalidate(ref) {
          for (const resolve of waiting) resolve(ref);
          waiting = [];
        },
      },
    ],
  });
  return {
    database,
    verifier,
    nextRevocation: () => new Promise((resolve) => waiting.push(resolve)),
    unsubscribe,
  };
}

let testDatabase: TestDatabase;
let second: Database | undefined;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  // Real Postgres: a second pool, as a second process would have. PGlite allows one connection.
  second = testDatabase.url ? await createDb({ url: testDatabase.url, migrate: false, maxConnections: 2 }) : undefined;
  a = await startInstance(testDatabase);
  b = await startInstance(second ?? testDatabase);
});

afterAll(async () => {
  await a?.unsubscribe();
  await b?.unsubscribe();
  await a?.verifier.close();
  await b?.verifier.close();
  await second?.close();
  await testDatabase?.cleanup();
});

describe(`API key revocation across instances (${process.env.GATEHOUSE_TEST_PG_URL ? "postgres" : "pglite"})`, () => {
  it("rejects key - revoked on instance A, refused by instance B as soon as the notice arrives", async () => {
    const owner = await createUser(testDatabase.db, {
      email: "ops@example.com",
      passwordHash: "h",
      scopes: ["notes:*"],
    });
    const issued = issueApiKey({ scopes: ["notes:read"], ownerScopes: owner.scopes });
    const row = await insertApiKey(testDatabase.db, {
      userId: owner.id,
      name: "deploy",
      keyHash: issued.hash,
      start: issued.start,
      scopes: issued.scopes,
    });

    expect((await a.verifier.verify(issued.key)).claims).toMatchObject({ key_id: row.id, sub: owner.id });
    expect((await b.verifier.verify(issued.key)).subject).toBe(owner.id);

    const hash = await revokeApiKey(testDatabase.db, { userId: owner.id, id: row.id });
    expect(hash).toBe(issued.hash);
    // Committed, not yet announced: B still answers from its cache (what the notice is for).
    expect((await b.verifier.verify(issued.key)).subject).toBe(owner.id);

    const received = b.nextRevocation();
    a.verifier.invalidate(hash as string);
    await a.database.notify(API_KEY_REVOKED_CHANNEL, hash as string);
    expect(await received).toBe(issued.hash);

    await expect(b.verifier.verify(issued.key)).rejects.toMatchObject({ status: 401, detail: "Invalid API key" });
    await expect(a.verifier.verify(issued.key)).rejects.toMatchObject({ status: 401, detail: "Invalid API key" });
  });

  it("writes last_used_at through the batched touch", async () => {
    const owner = await createUser(testDatabase.db, {
      email: "ci@example.com",
      passwordHash: "h",
      scopes: ["notes:*"],
    });
    const issued = issueApiKey({ scopes: ["notes:read"], ownerScopes: owner.scopes });
    await insertApiKey(testDatabase.db, {
      userId: owner.id,
      name: "ci",
      keyHash: issued.hash,
      start: issued.start,
      scopes: issued.scopes,
    });
    for (let i = 0; i < 3; i++) await b.verifier.verify(issued.key);
    expect((await findApiKeyByHash(testDatabase.db, issued.hash))?.lastUsedAt).toBeNull();
    await b.verifier.flush();
    expect((await findApiKeyByHash(testDatabase.db, issued.hash))?.lastUsedAt).toBeInstanceOf(Date);
  });
});
