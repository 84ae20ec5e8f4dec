/**
 * The revocation listener loses its connection. A key revoked meanwhile (its NOTIFY is lost)
 * must stop working as soon as the listener is back, not only when the cache's 30 s fresh
 * window runs out, and revocations must reach the instance again afterwards. Runs in the
 * real-Postgres leg only (PGlite has no connection to lose). The first test terminates its own
 * test database's listener session on the shared server; the second restarts a throwaway server.
 */
import {
  API_KEY_REVOKED_CHANNEL,
  type ApiKeyVerifier,
  createApiKeyVerifier,
  subscribeToRevocations,
} from "@gatehouse/auth/api-key-verifier";
import { revokeApiKey } from "@gatehouse/db/api-keys";
import { createDb, type Database } from "@gatehouse/db/client";
import { createTestDatabase, terminateListeners } from "@gatehouse/db/testing";
import { expect, it } from "vitest";
import { createTestApiKey } from "~/test/api-keys";
import { startThrowawayPostgres } from "~/test/throwaway-postgres";
import { createApiKeyStore } from "./api-key-store";

/** An app instance on `url`: its own pool, verifier and (through postgres.js) listener connection. */
async function startInstance(url: string) {
  const database = await createDb({ url, migrate: false, maxConnections: 2 });
  const verifier: ApiKeyVerifier = createApiKeyVerifier({ store: createApiKeyStore(async () => database) });
  let listens = 0;
  const listenWaiters: (() => void)[] = [];
  const payloadWaiters: (() => void)[] = [];
  const unsubscribe = await subscribeToRevocations({
    listen: (channel, onPayload, onListen) =>
      database.listen(
        channel,
        (payload) => {
          onPayload(payload);
          for (const resolve of payloadWaiters.splice(0)) resolve();
        },
        () => {
          onListen();
          listens++;
          for (const resolve of listenWaiters.splice(0)) resolve();
        },
      ),
    verifiers: [verifier],
  });
  return {
    database,
    verifier,
    listens: () => listens,
    /** Resolves when the subscription is next (re)established. */
    nextListen: () => new Promise<void>((resolve) => listenWaiters.push(resolve)),
    /** Resolves when the next revocation notice has been handled. */
    nextRevocation: () => new Promise<void>((resolve) => payloadWaiters.push(resolve)),
    async stop() {
      await unsubscribe();
      await verifier.close();
      await database.close();
    },
  };
}

/** A key through the app's own minting, and a way to revoke it without publishing the revocation. */
async function createKey(database: Database) {
  const { owner, id, key } = await createTestApiKey(database.db);
  return { owner, key, revoke: () => revokeApiKey(database.db, { userId: owner.id, id }) };
}

it("rejects key - revoked while the listener was down, once the listener reconnects", async () => {
  const testDatabase = await createTestDatabase();
  const instance = await startInstance(testDatabase.url as string);
  try {
    const { owner, key, revoke } = await createKey(testDatabase);
    expect((await instance.verifier.verify(key)).subject).toBe(owner.id);
    expect(instance.listens()).toBe(1);

    // The listener's backend goes away and the key is revoked before it is back: no NOTIFY
    // reaches this instance (none is even sent), as when the listener misses one.
    const relistened = instance.nextListen();
    expect(await terminateListeners(testDatabase)).toBe(1);
    await revoke();

    await relistened;
    await expect(instance.verifier.verify(key)).rejects.toMatchObject({ status: 401, detail: "Invalid API key" });
  } finally {
    await instance.stop();
    await testDatabase.cleanup();
  }
});

it("rejects key - revoked after the database restarted, through the re-established listener", async () => {
  const server = await startThrowawayPostgres();
  let instance: Awaited<ReturnType<typeof startInstance>> | undefined;
  let other: Database | undefined;
  try {
    await (await createDb({ url: server.url, maxConnections: 1 })).close(); // Migrates.
    instance = await startInstance(server.url);
    const missed = await createKey(instance.database);
    const later = await createKey(instance.database);
    expect((await instance.verifier.verify(missed.key)).subject).toBe(missed.owner.id);

    // Revoked with no notice (as if it was lost), then the server restarts. postgres.js re-runs
    // LISTEN once it is back (retrying with backoff meanwhile), and the cache is dropped then.
    await missed.revoke();
    const relistened = instance.nextListen();
    server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    server.start();
    await relistened;
    expect(instance.listens()).toBe(2);
    await expect(instance.verifier.verify(missed.key)).rejects.toMatchObject({ status: 401 });

    // Notices flow again: another instance revokes and publishes, this one refuses at once.
    other = await createDb({ url: server.url, migrate: false, maxConnections: 1 });
    expect((await instance.verifier.verify(later.key)).subject).toBe(later.owner.id);
    const [hash] = await later.revoke();
    expect((await instance.verifier.verify(later.key)).subject).toBe(later.owner.id); // Cached: not yet told.
    const heard = instance.nextRevocation();
    await other.notify(API_KEY_REVOKED_CHANNEL, hash as string);
    await heard;
    await expect(instance.verifier.verify(later.key)).rejects.toMatchObject({ status: 401 });
  } finally {
    await other?.close();
    await instance?.stop().catch(() => {});
    server.remove();
  }
}, 60_000);
