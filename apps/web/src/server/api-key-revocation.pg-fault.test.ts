/**
 * The revocation listener's connection drops: a key revoked while it was down (its NOTIFY is
 * lost) must stop working as soon as the listener is back, not only when the cache's 30 s
 * fresh window runs out. Runs in the real-Postgres leg only (PGlite has no connection to lose);
 * it terminates its own listener backend, never the server.
 */
import { issueApiKey } from "@gatehouse/auth/api-key";
import { type ApiKeyVerifier, createApiKeyVerifier, subscribeToRevocations } from "@gatehouse/auth/api-key-verifier";
import { insertApiKey, revokeApiKey } from "@gatehouse/db/api-keys";
import { createDb, type Database } from "@gatehouse/db/client";
import { createTestDatabase, type TestDatabase, terminateListeners } from "@gatehouse/db/testing";
import { createUser } from "@gatehouse/db/users";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiKeyStore } from "./api-key-store";

let testDatabase: TestDatabase;
let instance: Database;
let verifier: ApiKeyVerifier;
let unsubscribe: () => Promise<void>;
let listens = 0;
let onNextListen: (() => void) | undefined;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  if (!testDatabase.url) throw new Error("needs a real Postgres (GATEHOUSE_TEST_PG_URL)");
  // The app instance: its own pool and, through postgres.js, its own listener connection.
  instance = await createDb({ url: testDatabase.url, migrate: false, maxConnections: 2 });
  verifier = createApiKeyVerifier({ store: createApiKeyStore(async () => instance) });
  unsubscribe = await subscribeToRevocations({
    listen: (channel, onPayload, onListen) =>
      instance.listen(channel, onPayload, () => {
        onListen();
        listens++;
        onNextListen?.();
      }),
    verifiers: [verifier],
  });
});

afterAll(async () => {
  await unsubscribe?.();
  await verifier?.close();
  await instance?.close();
  await testDatabase?.cleanup();
});

it("rejects key - revoked while the listener was down, once the listener reconnects", async () => {
  const owner = await createUser(testDatabase.db, { email: "ops@example.com", passwordHash: "h", scopes: ["notes:*"] });
  const issued = issueApiKey({ scopes: ["notes:read"], ownerScopes: owner.scopes });
  const row = await insertApiKey(testDatabase.db, {
    userId: owner.id,
    name: "deploy",
    keyHash: issued.hash,
    start: issued.start,
    scopes: issued.scopes,
  });
  expect((await verifier.verify(issued.key)).subject).toBe(owner.id);
  expect(listens).toBe(1);

  // The listener's backend goes away, and the revocation happens before it is back: no NOTIFY
  // reaches this instance (none is even sent), as when the listener misses one.
  const relistened = new Promise<void>((resolve) => {
    onNextListen = resolve;
  });
  expect(await terminateListeners(testDatabase)).toBe(1);
  await revokeApiKey(testDatabase.db, { userId: owner.id, id: row.id });

  await relistened;
  expect(listens).toBe(2);
  await expect(verifier.verify(issued.key)).rejects.toMatchObject({ status: 401, detail: "Invalid API key" });
});
