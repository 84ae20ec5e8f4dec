/**
 * Real Postgres only (two connections): what one instance or the operator CLI revokes or
 * narrows, a second instance refuses as soon as its listener hears the NOTIFY. Instance A is
 * the app itself (tRPC route handler, auth.ts's verifier and listener); instance B has its own
 * pool, verifier (cache included) and listener connection (~/test/api-key-instance); the CLI
 * opens its own connection, as its own process would. Nobody clears a cache by hand.
 */
import { hashApiKey } from "@gatehouse/auth/api-key";
import { ownerRevocationPayload } from "@gatehouse/auth/api-key-verifier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSecondInstance } from "~/test/api-key-instance";
import { createTestApiKey } from "~/test/api-keys";
import { setupTestDatabase } from "~/test/database";
import { gatehouse as runGatehouse } from "~/test/gatehouse-cli";
import { listenForRevocations } from "~/test/revocation-notice";
import { createTRPCRequest } from "~/test/trpc-request";
import { getAuth } from "./auth";

const database = setupTestDatabase();
let b: Awaited<ReturnType<typeof startSecondInstance>>;
let a: Awaited<ReturnType<typeof listenForRevocations>>;

beforeAll(async () => {
  const url = database.current.url;
  if (!url) throw new Error("Real Postgres only: run through test:pg (GATEHOUSE_TEST_PG_URL)");
  await (await getAuth()).revocationsListening;
  a = await listenForRevocations(database.current); // After the app's listener: heard once the app has.
  b = await startSecondInstance(url);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

/** Instance A's answer for a call needing notes:read (`notes.list`) or notes:write (`notes.create`). */
async function callA(key: string, scope: "notes:read" | "notes:write"): Promise<number> {
  const response =
    scope === "notes:read"
      ? await createTRPCRequest("notes.list", { "x-api-key": key })
      : await createTRPCRequest(
          "notes.create",
          { "x-api-key": key },
          { method: "POST", input: { title: "t", body: "" } },
        );
  return response.status;
}

/** The operator CLI on its own connection to this test's database. */
const gatehouse = (...argv: string[]) => runGatehouse(database.current.url, ...argv);

describe("revocation across instances (real Postgres only: two connections)", () => {
  it("rejects key on instance B - revoked on instance A through the router (apiKeys.revoke over HTTP)", async () => {
    const { owner, id, key } = await createTestApiKey(database.current.db);
    expect([await callA(key, "notes:read"), await b.call(key, "notes:read")]).toEqual([200, 200]); // Both cached.
    const { issuer } = await getAuth();
    const token = await issuer.createAccessToken({ sub: owner.id, kind: "user", scope: owner.scopes.join(" ") });
    const revoked = await createTRPCRequest(
      "apiKeys.revoke",
      { authorization: `Bearer ${token.access_token}` },
      { method: "POST", input: { id } },
    );
    expect(revoked.status).toBe(200);
    expect(await callA(key, "notes:read")).toBe(401); // The revoking instance: at once.
    await b.received(hashApiKey(key));
    expect(await b.call(key, "notes:read")).toBe(401);
  });

  it("rejects key on both instances - revoked by the CLI over its own connection", async () => {
    const { owner, id, key } = await createTestApiKey(database.current.db);
    expect([await callA(key, "notes:read"), await b.call(key, "notes:read")]).toEqual([200, 200]);
    await gatehouse("keys", "revoke", "--email", owner.email, "--id", id);
    await Promise.all([a.next(hashApiKey(key)), b.received(hashApiKey(key))]);
    expect([await callA(key, "notes:read"), await b.call(key, "notes:read")]).toEqual([401, 401]);
  });

  it("narrows key on both instances - owner's scopes lowered by the CLI, 403 on the lost scope only", async () => {
    const { owner, key } = await createTestApiKey(database.current.db, { scopes: ["notes:write"] });
    expect([await callA(key, "notes:write"), await b.call(key, "notes:write")]).toEqual([200, 200]);
    await gatehouse("users", "set-scopes", "--email", owner.email, "--scopes", "notes:read");
    await Promise.all([a.next(ownerRevocationPayload(owner.id)), b.received(ownerRevocationPayload(owner.id))]);
    expect([await callA(key, "notes:write"), await b.call(key, "notes:write")]).toEqual([403, 403]);
    expect([await callA(key, "notes:read"), await b.call(key, "notes:read")]).toEqual([200, 200]);
  });

  it("rejects key on both instances - owner disabled by the CLI", async () => {
    const { owner, key } = await createTestApiKey(database.current.db);
    expect([await callA(key, "notes:read"), await b.call(key, "notes:read")]).toEqual([200, 200]);
    await gatehouse("users", "disable", "--email", owner.email);
    await Promise.all([a.next(ownerRevocationPayload(owner.id)), b.received(ownerRevocationPayload(owner.id))]);
    expect([await callA(key, "notes:read"), await b.call(key, "notes:read")]).toEqual([401, 401]);
  });
});
