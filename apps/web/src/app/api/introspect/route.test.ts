/**
 * `POST /api/introspect` (RFC 7662) through the real wiring: a resource server authenticates
 * with an API key holding `tokens:introspect` and asks about tokens the app issued.
 */
import { createJwtIssuer, generateJwk, importKeySet } from "@gatehouse/auth/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as token } from "~/app/api/token/route";
import { getAuth } from "~/server/auth";
import { createApiKey } from "~/server/create-api-key";
import { DEFAULT_USER_SCOPES, INTROSPECT_SCOPE } from "~/server/scopes";
import { createTestApiKey } from "~/test/api-keys";
import { setupTestDatabase } from "~/test/database";
import { createTestUser } from "~/test/users";
import { POST } from "./route";

const database = setupTestDatabase();
const ISSUER = "http://localhost:3000"; // AUTH_ISSUER in src/test/setup-env.ts
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

let resourceServer: { id: string; key: string };
beforeAll(async () => {
  // Only an account an operator granted the scope can mint an introspecting key.
  const owner = await createTestUser(database.current.db, { scopes: [INTROSPECT_SCOPE] });
  resourceServer = await createApiKey(database.current.db, {
    owner,
    name: "resource server",
    scopes: [INTROSPECT_SCOPE],
    environment: "test",
    now: new Date(),
  });
});

function introspect(params: Record<string, string>, authorization = basic(resourceServer.id, resourceServer.key)) {
  return POST(
    new Request(`${ISSUER}/api/introspect`, {
      method: "POST",
      headers: { ...FORM, ...(authorization ? { authorization } : {}) },
      body: new URLSearchParams(params).toString(),
    }),
  );
}

async function signIn() {
  const user = await createTestUser(database.current.db, { scopes: ["notes:read"] });
  const response = await token(
    new Request(`${ISSUER}/api/token`, {
      method: "POST",
      headers: FORM,
      body: new URLSearchParams({ grant_type: "password", username: user.email, password: user.password }).toString(),
    }),
  );
  return { user, ...(await response.json()) };
}

describe("POST /api/introspect", () => {
  it("an access token from the token endpoint - active, with its scope, sub, exp, iat", async () => {
    const { user, access_token } = await signIn();
    const response = await introspect({ token: access_token });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ active: true, token_type: "Bearer", scope: "notes:read", sub: user.id });
    expect(body.exp - body.iat).toBe(900);
  });

  it("a refresh token and an API key - active with their type; after revocation - inactive", async () => {
    const { user, refresh_token } = await signIn();
    expect(await (await introspect({ token: refresh_token })).json()).toMatchObject({
      active: true,
      token_type: "refresh_token",
      sub: user.id,
    });
    const issued = await createTestApiKey(database.current.db);
    expect(await (await introspect({ token: issued.key })).json()).toMatchObject({
      active: true,
      token_type: "api_key",
      client_id: issued.id,
      sub: issued.owner.id,
      scope: "notes:read",
    });
    await (await getAuth()).refreshTokens.revoke(refresh_token);
    const { revokeApiKeyEverywhere } = await import("~/server/revoke-api-key");
    await revokeApiKeyEverywhere(database.current, await getAuth(), {
      userId: issued.owner.id,
      id: issued.id,
    });
    expect(await (await introspect({ token: refresh_token })).json()).toEqual({ active: false });
    expect(await (await introspect({ token: issued.key })).json()).toEqual({ active: false });
  });

  it("expired, tampered, another issuer's - { active: false }", async () => {
    const { keySet } = await getAuth();
    const past = createJwtIssuer({ keySet, issuer: ISSUER, now: () => Date.now() - 3_600_000 });
    const expired = (await past.createAccessToken({ sub: crypto.randomUUID(), kind: "user", scope: "" })).access_token;
    const { access_token } = await signIn();
    const [header, payload, signature] = access_token.split(".");
    const widened = Buffer.from(payload, "base64url").toString().replace('"notes:read"', '"notes:*"');
    const tampered = `${header}.${Buffer.from(widened).toString("base64url")}.${signature}`;
    const foreignKeys = await importKeySet({ keys: [await generateJwk("ES256")] });
    const foreign = createJwtIssuer({ keySet: foreignKeys, issuer: "https://evil.example" });
    const otherIssuer = (await foreign.createAccessToken({ sub: crypto.randomUUID(), kind: "user" })).access_token;
    const sameIssuerOtherKey = (
      await createJwtIssuer({ keySet: foreignKeys, issuer: ISSUER }).createAccessToken({ sub: "x", kind: "user" })
    ).access_token;
    for (const value of [expired, tampered, otherIssuer, sameIssuerOtherKey]) {
      const response = await introspect({ token: value });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ active: false });
    }
  });

  it("no credentials - 401 invalid_client with a Basic challenge", async () => {
    const response = await introspect({ token: "x" }, "");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it("a key without tokens:introspect, even one holding every default scope - 403, learns nothing", async () => {
    const ordinary = await createTestApiKey(database.current.db, { scopes: ["notes:*", "api_keys:*"] });
    const { access_token } = await signIn();
    const response = await introspect({ token: access_token }, basic(ordinary.id, ordinary.key));
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body).toMatchObject({ error: "insufficient_scope" });
    expect(body).not.toHaveProperty("active");
  });

  it("a default account cannot mint an introspecting key - tokens:introspect is not a default scope", async () => {
    const owner = await createTestUser(database.current.db, { scopes: [...DEFAULT_USER_SCOPES] });
    await expect(
      createApiKey(database.current.db, {
        owner,
        name: "try",
        scopes: [INTROSPECT_SCOPE],
        environment: "test",
        now: new Date(),
      }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("a JSON body or a wrong content type - invalid_request, even with good credentials", async () => {
    const { access_token } = await signIn();
    for (const contentType of ["application/json", "multipart/form-data; boundary=x"]) {
      const response = await POST(
        new Request(`${ISSUER}/api/introspect`, {
          method: "POST",
          headers: { "content-type": contentType, authorization: basic(resourceServer.id, resourceServer.key) },
          body: JSON.stringify({ token: access_token }),
        }),
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    }
  });
});
