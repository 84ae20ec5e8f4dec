/**
 * API-key revocation end to end in one app instance: revoked by the operator CLI, which can
 * reach the app only through `NOTIFY api_key_revoked`, and refused by the app's own verifier
 * and listener (auth.ts) on the next call through the tRPC route handler. The router's revoke
 * is in routers/api-keys.test.ts; a second instance, on a real Postgres, in
 * api-key-revocation.pg-only.test.ts.
 */
import { hashApiKey } from "@gatehouse/auth/api-key";
import { createApiKeyVerifier } from "@gatehouse/auth/api-key-verifier";
import { findApiKeyByHash } from "@gatehouse/db/api-keys";
import { createDb } from "@gatehouse/db/client";
import { beforeAll, describe, expect, it } from "vitest";
import { run } from "~/cli/run";
import { createTestApiKey } from "~/test/api-keys";
import { setupTestDatabase } from "~/test/database";
import { listenForRevocations } from "~/test/revocation-notice";
import { createTRPCRequest } from "~/test/trpc-request";
import { createApiKeyStore } from "./api-key-store";
import { getAuth } from "./auth";

const database = setupTestDatabase();

beforeAll(async () => {
  await (await getAuth()).revocationsListening;
});

const me = (key: string) => createTRPCRequest("auth.me", { "x-api-key": key });

describe(`API key revocation (${process.env.GATEHOUSE_TEST_PG_URL ? "postgres" : "pglite"})`, () => {
  it("rejects key - revoked by the CLI, refused by the app once the notice arrives", async () => {
    const { owner, id, key } = await createTestApiKey(database.current.db);
    expect((await me(key)).status).toBe(200); // Cached from here on, for 30 s.
    const notices = await listenForRevocations(database.current);
    try {
      const stderr: string[] = [];
      const code = await run(["keys", "revoke", "--email", owner.email, "--id", id], {
        output: { out: () => {}, err: (line) => stderr.push(line) },
        // On Postgres the CLI has its own connection, as its own process would.
        openDatabase: async () =>
          database.current.url
            ? createDb({ url: database.current.url, migrate: false, maxConnections: 1 })
            : { ...database.current, close: async () => {} },
        environment: () => "test",
      });
      expect(code, stderr.join("\n")).toBe(0);
      await notices.next(hashApiKey(key));
      const refused = await me(key);
      expect(refused.status).toBe(401);
      expect((await refused.json()).error.json.data.problem.detail).toBe("Invalid API key");
    } finally {
      await notices.stop();
    }
  });

  it("writes last_used_at through the batched touch", async () => {
    const verifier = createApiKeyVerifier({ store: createApiKeyStore(async () => database.current) });
    const created = await createTestApiKey(database.current.db);
    const hash = hashApiKey(created.key);
    for (let i = 0; i < 3; i++) await verifier.verify(created.key);
    expect((await findApiKeyByHash(database.current.db, hash))?.lastUsedAt).toBeNull();
    await verifier.flush();
    expect((await findApiKeyByHash(database.current.db, hash))?.lastUsedAt).toBeInstanceOf(Date);
    await verifier.close();
  });
});
