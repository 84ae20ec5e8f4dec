import { hashApiKey } from "@gatehouse/auth/api-key";
import { describe, expect, it } from "vitest";
import { createTestApiKey } from "~/test/api-keys";
import { setupTestDatabase } from "~/test/database";
import { listenForRevocations } from "~/test/revocation-notice";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "../auth";
import { createContext } from "../trpc";
import { appRouter } from "./_app";

const database = setupTestDatabase();

async function callerFor(user: { id: string; scopes: string[] }) {
  const { issuer } = await getAuth();
  const token = await issuer.createAccessToken({ sub: user.id, kind: "user", scope: user.scopes.join(" ") });
  return appRouter.createCaller(
    await createContext({ headers: new Headers({ authorization: `Bearer ${token.access_token}` }) }),
  );
}

async function meWithKey(key: string, header: "x-api-key" | "authorization" = "x-api-key") {
  return createTRPCRequest(
    "auth.me",
    header === "x-api-key" ? { "x-api-key": key } : { authorization: `Bearer ${key}` },
  );
}

describe("apiKeys router", () => {
  it("creates a key shown once, which then authenticates as the owner with the key's scopes", async () => {
    const owner = await createTestUser(database.current.db);
    const caller = await callerFor(owner);
    const created = await caller.apiKeys.create({ name: "ci", scopes: ["notes:read"] });
    expect(created.key).toMatch(/^gk_test_/);
    for (const header of ["x-api-key", "authorization"] as const) {
      const response = await meWithKey(created.key, header);
      expect(response.status).toBe(200);
      expect((await response.json()).result.data.json).toEqual({
        subject: owner.id,
        kind: "api_key",
        scopes: ["notes:read"],
      });
    }
    const listed = await caller.apiKeys.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.key.slice(12));
    expect(listed[0]).not.toHaveProperty("keyHash");
  });

  it("refuses a scope the owner no longer holds, though the token still does - FORBIDDEN invalid_scope", async () => {
    const owner = await createTestUser(database.current.db, { scopes: ["notes:read", "api_keys:*"] });
    // A token issued before the owner was lowered from notes:* still says notes:*.
    const caller = await callerFor({ id: owner.id, scopes: ["notes:*", "api_keys:*"] });
    await expect(caller.apiKeys.create({ name: "too much", scopes: ["notes:write"] })).rejects.toMatchObject({
      code: "FORBIDDEN",
      cause: { code: "invalid_scope" },
    });
  });

  it("refuses a key minted for another environment - 401, offline", async () => {
    const live = await createTestApiKey(database.current.db, { environment: "live" });
    expect((await meWithKey(live.key)).status).toBe(401);
  });

  it("refuses an unknown scope name - BAD_REQUEST", async () => {
    const owner = await createTestUser(database.current.db);
    const caller = await callerFor(owner);
    await expect(caller.apiKeys.create({ name: "typo", scopes: ["notse:read"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("revokes at once in this process and announces it to other instances", async () => {
    const owner = await createTestUser(database.current.db);
    const caller = await callerFor(owner);
    const created = await caller.apiKeys.create({ name: "soon gone", scopes: ["notes:read"] });
    expect((await meWithKey(created.key)).status).toBe(200); // now cached
    const notices = await listenForRevocations(database.current);
    try {
      await caller.apiKeys.revoke({ id: created.id });
      const refused = await meWithKey(created.key); // The very next call.
      expect(refused.status).toBe(401);
      expect((await refused.json()).error.json.data.problem.detail).toBe("Invalid API key");
      await notices.next(hashApiKey(created.key)); // Other instances are told the key's hash.
      expect(notices.heard).toEqual([hashApiKey(created.key)]);
    } finally {
      await notices.stop();
    }
  });

  it("never lets one user see or revoke another's key", async () => {
    const alice = await callerFor(await createTestUser(database.current.db));
    const bob = await callerFor(await createTestUser(database.current.db));
    const aliceKey = await alice.apiKeys.create({ name: "alice", scopes: ["notes:read"] });
    expect(await bob.apiKeys.list()).toEqual([]);
    await expect(bob.apiKeys.revoke({ id: aliceKey.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await meWithKey(aliceKey.key)).status).toBe(200);
  });
});
