/**
 * End to end: the auth core's API-key verifier on the app's store port (`./api-key-store`, on
 * @gatehouse/db's queries), with revocation carried between instances by LISTEN/NOTIFY. On real
 * Postgres the two instances have their own connection pools (as two app processes would); on
 * PGlite they share the one database and the notification is delivered in-process.
 *
 * It lives here because this app is the package that depends on both @gatehouse/auth and
 * @gatehouse/db; neither of them may import the other.
 */
import { hashApiKey } from "@gatehouse/auth/api-key";
import {
  API_KEY_REVOKED_CHANNEL,
  type ApiKeyVerifier,
  createApiKeyVerifier,
  subscribeToRevocations,
} from "@gatehouse/auth/api-key-verifier";
import { findApiKeyByHash, revokeApiKey } from "@gatehouse/db/api-keys";
import { createDb, type Database } from "@gatehouse/db/client";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApiKey } from "~/test/api-keys";
import { createApiKeyStore } from "./api-key-store";

interface Instance {
  database: Database;
  verifier: ApiKeyVerifier;
  /** Resolves with the next reference this instance's subscription receives. */
  nextRevocation(): Promise<string>;
  unsubscribe(): Promise<void>;
}

async function startInstance(database: Database): Promise<Instance> {
  const verifier = createApiKeyVerifier({ store: createApiKeyStore(async () => database) });
  let waiting: ((ref: string) => void)[] = [];
  const unsubscribe = await subscribeToRevocations({
    listen: (channel, onPayload, onListen) => database.listen(channel, onPayload, onListen),
    verifiers: [
      verifier,
      {
        invalidate(ref) {
          for (const resolve of waiting) resolve(ref);
          waiting = [];
        },
        clear() {},
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
    const { owner, ...row } = await createTestApiKey(testDatabase.db);
    const issued = { key: row.key, hash: hashApiKey(row.key) };

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
    const created = await createTestApiKey(testDatabase.db);
    const issued = { key: created.key, hash: hashApiKey(created.key) };
    for (let i = 0; i < 3; i++) await b.verifier.verify(issued.key);
    expect((await findApiKeyByHash(testDatabase.db, issued.hash))?.lastUsedAt).toBeNull();
    await b.verifier.flush();
    expect((await findApiKeyByHash(testDatabase.db, issued.hash))?.lastUsedAt).toBeInstanceOf(Date);
  });
});
