/**
 * `POST /api/revoke` (RFC 7009) through the real wiring: the database, the refresh-token
 * service, the API-key verifier's cache and the tRPC route the revoked credential calls.
 */
import { generateApiKey } from "@gatehouse/auth/api-key";
import { describe, expect, it } from "vitest";
import { POST as token } from "~/app/api/token/route";
import { buildAuthServices } from "~/server/auth";
import { createApiKey } from "~/server/create-api-key";
import { createTestApiKey } from "~/test/api-keys";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { POST } from "./route";

const database = setupTestDatabase();
const FORM = { "content-type": "application/x-www-form-urlencoded" };

const post = (handler: (request: Request) => Promise<Response>, path: string, params: Record<string, string>) =>
  handler(
    new Request(`http://localhost:3000${path}`, {
      method: "POST",
      headers: FORM,
      body: new URLSearchParams(params).toString(),
    }),
  );
const revoke = (params: Record<string, string>) => post(POST, "/api/revoke", params);
const me = (headers: Record<string, string>) => createTRPCRequest("auth.me", headers);

describe("POST /api/revoke", () => {
  it("a refresh token - 200, then its refresh grant is invalid_grant", async () => {
    const user = await createTestUser(database.current.db);
    const signIn = await (
      await post(token, "/api/token", { grant_type: "password", username: user.email, password: user.password })
    ).json();
    const response = await revoke({ token: signIn.refresh_token, token_type_hint: "refresh_token" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const refresh = await post(token, "/api/token", {
      grant_type: "refresh_token",
      refresh_token: signIn.refresh_token,
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("a refresh token - its sign-in's access token is refused at once too, not at exp", async () => {
    const user = await createTestUser(database.current.db);
    const signIn = await (
      await post(token, "/api/token", { grant_type: "password", username: user.email, password: user.password })
    ).json();
    const bearer = { authorization: `Bearer ${signIn.access_token}` };
    expect((await me(bearer)).status).toBe(200); // cached as valid first
    expect((await revoke({ token: signIn.refresh_token })).status).toBe(200);
    expect((await me(bearer)).status).toBe(401);
  });

  it("an API key, by its holder - 200, then the key (and a key it minted) is 401 on tRPC at once", async () => {
    const { owner, ...issued } = await createTestApiKey(database.current.db, { scopes: ["notes:read", "api_keys:*"] });
    const child = await createApiKey(database.current.db, {
      owner,
      name: "child",
      scopes: ["notes:read"],
      environment: "test",
      limits: { scopes: issued.scopes, notAfter: null, parentKeyId: issued.id },
      now: new Date(),
    });
    // Warm the verifier's cache: revocation must reach it, not wait for the cache to expire.
    expect((await me({ "x-api-key": issued.key })).status).toBe(200);
    expect((await me({ "x-api-key": child.key })).status).toBe(200);
    expect((await revoke({ token: issued.key })).status).toBe(200);
    expect((await me({ "x-api-key": issued.key })).status).toBe(401);
    expect((await me({ authorization: `Bearer ${issued.key}` })).status).toBe(401);
    expect((await me({ "x-api-key": child.key })).status).toBe(401);
  });

  it("an unknown, malformed or already revoked token - 200, nothing else happens (RFC 7009 §2.2)", async () => {
    const bystander = await createTestApiKey(database.current.db);
    const { key: unknownKey } = generateApiKey({ environment: "test" });
    for (const value of [unknownKey, `ghr_${"A".repeat(43)}`, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln", "nonsense"]) {
      expect((await revoke({ token: value })).status).toBe(200);
    }
    expect((await me({ "x-api-key": bystander.key })).status).toBe(200);
  });

  it("an access token - 200, handed to the revokeAccessToken port when the app wires one", async () => {
    const seen: string[] = [];
    const services = await buildAuthServices({ ports: { revokeAccessToken: async (value) => void seen.push(value) } });
    const { access_token } = await services.issuer.createAccessToken({ sub: crypto.randomUUID(), kind: "user" });
    const response = await services.revocationEndpoint(
      new Request("http://localhost:3000/api/revoke", {
        method: "POST",
        headers: FORM,
        body: new URLSearchParams({ token: access_token }).toString(),
      }),
    );
    expect(response.status).toBe(200);
    expect(seen).toEqual([access_token]);
  });

  it("an access token, by its holder - 200, then that token is 401 at once; its sign-in's other tokens live on", async () => {
    const user = await createTestUser(database.current.db);
    const signIn = await (
      await post(token, "/api/token", { grant_type: "password", username: user.email, password: user.password })
    ).json();
    const sibling = await (
      await post(token, "/api/token", { grant_type: "refresh_token", refresh_token: signIn.refresh_token })
    ).json();
    const bearer = { authorization: `Bearer ${signIn.access_token}` };
    expect((await me(bearer)).status).toBe(200); // cached as valid first
    const response = await revoke({ token: signIn.access_token, token_type_hint: "access_token" });
    expect(response.status).toBe(200);
    expect((await me(bearer)).status).toBe(401);
    expect((await me({ authorization: `Bearer ${sibling.access_token}` })).status).toBe(200);
  });

  it("a JSON body - invalid_request, and the key still works", async () => {
    const issued = await createTestApiKey(database.current.db);
    const response = await POST(
      new Request("http://localhost:3000/api/revoke", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: issued.key }),
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
    expect((await me({ "x-api-key": issued.key })).status).toBe(200);
  });
});
