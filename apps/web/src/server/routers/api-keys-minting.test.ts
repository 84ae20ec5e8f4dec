/**
 * #10 §2: a credential never creates a credential wider or longer-lived than itself. Each
 * caller is the one an attacker would hold (a narrowed token, a key, a client-credentials
 * token), through the real token endpoint and tRPC route handler.
 */
import { listApiKeys } from "@gatehouse/db/api-keys";

import { describe, expect, it } from "vitest";
import { createTestApiKey } from "~/test/api-keys";
import { clientCredentialsToken, passwordToken, sessionHeaders, tokenRequest } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { unverifiedClaims } from "../unverified-claims";

const database = setupTestDatabase();
const DAY = 86_400_000;

/** `apiKeys.create` over HTTP as the holder of `headers`: the status and the key or the problem. */
async function mint(headers: Record<string, string>, input: Record<string, unknown>) {
  const response = await createTRPCRequest("apiKeys.create", headers, { method: "POST", input });
  const body = await response.json();
  return {
    status: response.status,
    key: body.result?.data?.json as { id: string; key: string; scopes: string[]; expiresAt: string | null } | undefined,
    problem: body.error?.json?.data?.problem as { code: string; detail: string } | undefined,
  };
}

const expiry = (key: { expiresAt: string | null } | undefined) =>
  key?.expiresAt ? new Date(key.expiresAt).getTime() : null;

describe("apiKeys.create grants no more than the calling credential", () => {
  it("refuses a scope a narrowed password token lacks - 403 insufficient_scope naming it, nothing stored", async () => {
    const user = await createTestUser(database.current.db);
    const bearer = { authorization: `Bearer ${await passwordToken(user, "api_keys:write")}` };
    for (const wider of [["notes:read"], ["api_keys:write", "notes:write"], ["api_keys:*"]]) {
      const refused = await mint(bearer, { name: "wider", scopes: wider });
      expect(refused.status).toBe(403);
      expect(refused.problem?.code).toBe("insufficient_scope");
      expect(refused.problem?.detail).toContain(wider.at(-1));
    }
    expect(await listApiKeys(database.current.db, user.id)).toEqual([]);
    const allowed = await mint(bearer, { name: "same", scopes: ["api_keys:write"] });
    expect(allowed.status).toBe(200);
    expect(allowed.key?.scopes).toEqual(["api_keys:write"]);
  });

  it("refuses a scope a key lacks though its owner holds it - 403 insufficient_scope", async () => {
    const parent = await createTestApiKey(database.current.db, { scopes: ["api_keys:write"] });
    const refused = await mint({ "x-api-key": parent.key }, { name: "wider", scopes: ["notes:read"] });
    expect(refused).toMatchObject({ status: 403, problem: { code: "insufficient_scope" } });
    expect(refused.problem?.detail).toContain("notes:read");
  });

  it("refuses every client-credentials token - 403, even one holding api_keys:write", async () => {
    const parent = await createTestApiKey(database.current.db, { scopes: ["api_keys:write", "notes:read"] });
    const token = await clientCredentialsToken(parent);
    const refused = await mint({ authorization: `Bearer ${token}` }, { name: "child", scopes: ["notes:read"] });
    expect(refused.status).toBe(403);
    expect(refused.problem?.detail).toMatch(/client-credentials/);
    expect(await listApiKeys(database.current.db, parent.owner.id)).toHaveLength(1);
  });
});

describe("apiKeys.create mints no key that outlives the calling credential", () => {
  it("cuts the default lifetime to an expiring key's own and refuses a longer explicit one - 403", async () => {
    const parent = await createTestApiKey(database.current.db, { scopes: ["api_keys:write"], expiresInDays: 10 });
    const headers = { "x-api-key": parent.key };
    const parentExpiry = parent.expiresAt?.getTime() as number;
    const byDefault = await mint(headers, { name: "default", scopes: ["api_keys:write"] });
    expect(byDefault.status).toBe(200);
    // The principal carries the key's expiry in whole seconds: never later than the key.
    expect(expiry(byDefault.key)).toBeLessThanOrEqual(parentExpiry);
    expect(expiry(byDefault.key)).toBeGreaterThan(parentExpiry - 1000);
    for (const expiresInDays of [null, 11, 365]) {
      const refused = await mint(headers, { name: "longer", scopes: ["api_keys:write"], expiresInDays });
      expect(refused.status).toBe(403);
      expect(refused.problem?.detail).toMatch(/cannot outlive/);
    }
    const shorter = await mint(headers, { name: "shorter", scopes: ["api_keys:write"], expiresInDays: 5 });
    expect(shorter.status).toBe(200);
    expect(expiry(shorter.key)).toBeLessThan(parentExpiry);
  });

  it("expires new keys in 90 days by default; never only when asked for explicitly", async () => {
    const user = await createTestUser(database.current.db);
    const session = await sessionHeaders(user);
    const before = Date.now();
    const byDefault = await mint(session, { name: "default", scopes: ["notes:read"] });
    expect(byDefault.status).toBe(200);
    expect(expiry(byDefault.key)).toBeGreaterThanOrEqual(before + 90 * DAY);
    expect(expiry(byDefault.key)).toBeLessThanOrEqual(Date.now() + 90 * DAY);
    const never = await mint(session, { name: "never", scopes: ["notes:read"], expiresInDays: null });
    expect(never.status).toBe(200);
    expect(never.key?.expiresAt).toBeNull();
  });
});

describe("the token endpoint derives no credential wider or longer-lived than its source", () => {
  it("client_credentials: never a scope the key lacks - invalid_scope", async () => {
    const key = await createTestApiKey(database.current.db, { scopes: ["notes:read"] });
    const response = await tokenRequest({
      grant_type: "client_credentials",
      client_id: key.id,
      client_secret: key.key,
      scope: "notes:write",
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("invalid_scope");
  });

  it("client_credentials: the access token's exp is no later than the key's expiry", async () => {
    // Minted a day ago for one day: it has two minutes left, less than the 15-minute token lifetime.
    const key = await createTestApiKey(database.current.db, {
      expiresInDays: 1,
      now: new Date(Date.now() - DAY + 120_000),
    });
    const token = unverifiedClaims(await clientCredentialsToken(key)) ?? {};
    expect(token.exp).toBeLessThanOrEqual(Math.floor((key.expiresAt?.getTime() as number) / 1000));
    expect((token.exp as number) - (token.iat as number)).toBeLessThanOrEqual(120);
  });
});

describe("a key minted by a key dies with it", () => {
  it("refuses the child and the grandchild once the parent is revoked through the router - 401, no instance help", async () => {
    const parent = await createTestApiKey(database.current.db, {
      scopes: ["api_keys:write", "notes:read"],
      expiresInDays: null,
    });
    const child = await mint({ "x-api-key": parent.key }, { name: "child", scopes: ["api_keys:write", "notes:read"] });
    const grandchild = await mint(
      { "x-api-key": child.key?.key as string },
      { name: "grandchild", scopes: ["notes:read"] },
    );
    expect([child.status, grandchild.status]).toEqual([200, 200]);
    const notesWith = async (key: string) => (await createTRPCRequest("notes.list", { "x-api-key": key })).status;
    // Cached as live in this process first, so the revocation must reach the cache too.
    expect(await notesWith(grandchild.key?.key as string)).toBe(200);

    const owner = await sessionHeaders(parent.owner);
    const revoked = await createTRPCRequest("apiKeys.revoke", owner, { method: "POST", input: { id: parent.id } });
    expect(revoked.status).toBe(200);

    for (const key of [parent.key, child.key?.key, grandchild.key?.key])
      expect(await notesWith(key as string)).toBe(401);
    expect((await listApiKeys(database.current.db, parent.owner.id)).every((key) => key.revokedAt !== null)).toBe(true);
  });
});
