/**
 * The external-issuer wiring (OIDC_ISSUER / OIDC_AUDIENCE): a real issuer on 127.0.0.1
 * serving discovery and a JWKS. Its tokens reach the API through the app's own header
 * authenticator; a token naming our issuer but signed with its key, or naming an issuer we
 * do not know, is a 401.
 */
import { createPrivateKey, type JsonWebKey, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateJwk } from "@gatehouse/auth/jwt";
import { findUserByExternalIdentity } from "@gatehouse/db/external-identities";
import { createNote } from "@gatehouse/db/notes";
import { setUserDisabled } from "@gatehouse/db/users";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";

const database = setupTestDatabase();

const OURS = "http://localhost:3000"; // AUTH_ISSUER in src/test/setup-env.ts
const AUDIENCE = "gatehouse-api";
type Jwk = Record<string, string>;

let server: Server;
let external: string;
let externalKey: Jwk;
let strayKey: Jwk; // a key the external issuer never published

beforeAll(async () => {
  externalKey = (await generateJwk("RS256")) as Jwk;
  strayKey = (await generateJwk("RS256")) as Jwk;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicKey } = externalKey;
  server = createServer((req, res) => {
    const body =
      req.url === "/.well-known/openid-configuration"
        ? { issuer: external, jwks_uri: `${external}/jwks` }
        : req.url === "/jwks"
          ? { keys: [publicKey] }
          : null;
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  external = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Read when the app's auth services are first built, which no test in this file has done yet.
  vi.stubEnv("OIDC_ISSUER", external);
  vi.stubEnv("OIDC_AUDIENCE", AUDIENCE);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An RS256 token signed with `key`, as any OIDC provider would issue it. */
function rs256(key: Jwk, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: "RS256", typ: "JWT", kid: key.kid })}.${b64url({ iat: now, exp: now + 300, ...claims })}`;
  const privateKey = createPrivateKey({ key: key as JsonWebKey, format: "jwk" });
  return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
}

const authenticate = async (token: string) =>
  (await getAuth()).headerAuthenticator.authenticate(new Headers({ authorization: `Bearer ${token}` }));

async function expectRefused(token: string) {
  const refusal = authenticate(token);
  await expect(refusal).rejects.toMatchObject({ status: 401, code: "invalid_token" });
  const response = await createTRPCRequest("auth.me", { authorization: `Bearer ${token}` });
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
}

describe("external OIDC issuer", () => {
  it("accepts its token - through the header authenticator and over HTTP", async () => {
    const token = rs256(externalKey, { iss: external, aud: AUDIENCE, sub: "svc-1", scope: "notes:read" });
    expect(await authenticate(token)).toMatchObject({ subject: "svc-1", scopes: ["notes:read"] });
    const response = await createTRPCRequest("auth.me", { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect((await response.json()).result.data.json).toMatchObject({ subject: "svc-1", scopes: ["notes:read"] });
  });

  it("ignores OIDC's standard scopes - not a 401; its kind is service, whatever its kind claim says", async () => {
    for (const kind of [undefined, "user", "api_key"]) {
      const scope = "openid profile email offline_access notes:read";
      const token = rs256(externalKey, { iss: external, aud: AUDIENCE, sub: "svc-1", scope, kind, key_id: "k" });
      const response = await createTRPCRequest("auth.me", { authorization: `Bearer ${token}` });
      expect(response.status).toBe(200);
      const me = (await response.json()).result.data.json;
      expect(me).toEqual({ subject: "svc-1", kind: "service", scopes: ["notes:read"] });
    }
  });

  it("never acts for our user whose id equals its sub - it gets its own linked account, the victim's notes unread", async () => {
    const victim = await createTestUser(database.current.db);
    await createNote(database.current.db, { ownerId: victim.id, title: "victim's secret note" });
    const token = rs256(externalKey, {
      iss: external,
      aud: AUDIENCE,
      sub: victim.id,
      scope: "notes:read",
      kind: "user",
    });
    const response = await createTRPCRequest("notes.list", { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).not.toContain("victim's secret note");
    const linked = await findUserByExternalIdentity(database.current.db, { issuer: external, subject: victim.id });
    expect(linked?.id).toBeDefined();
    expect(linked?.id).not.toBe(victim.id);
  });

  it("acts for the account linked to its (issuer, sub) - created on first use, the same on every later token", async () => {
    const claims = { iss: external, aud: AUDIENCE, sub: "person-42", scope: "notes:read notes:write" };
    const create = await createTRPCRequest(
      "notes.create",
      { authorization: `Bearer ${rs256(externalKey, claims)}` },
      { method: "POST", input: { title: "written through the external issuer" } },
    );
    expect(create.status).toBe(200);
    const later = await createTRPCRequest("notes.list", { authorization: `Bearer ${rs256(externalKey, claims)}` });
    expect(JSON.stringify(await later.json())).toContain("written through the external issuer");
    const linked = await findUserByExternalIdentity(database.current.db, { issuer: external, subject: "person-42" });
    expect(linked).toMatchObject({ email: null, passwordHash: null, scopes: [] });
  });

  it("refuses - the linked account disabled by an operator (401)", async () => {
    const claims = { iss: external, aud: AUDIENCE, sub: "person-to-disable", scope: "notes:read" };
    const bearer = { authorization: `Bearer ${rs256(externalKey, claims)}` };
    expect((await createTRPCRequest("notes.list", bearer)).status).toBe(200);
    const linked = await findUserByExternalIdentity(database.current.db, { issuer: external, subject: claims.sub });
    await setUserDisabled(database.current.db, linked?.id as string, true);
    expect((await createTRPCRequest("notes.list", bearer)).status).toBe(401);
  });

  it("still accepts our own tokens beside it", async () => {
    const { access_token } = await (await getAuth()).issuer.createAccessToken({ sub: "u1", kind: "user" });
    expect(await authenticate(access_token)).toMatchObject({ subject: "u1" });
  });

  it("refuses - our issuer named, signed with the external issuer's key", async () => {
    await expectRefused(rs256(externalKey, { iss: OURS, aud: AUDIENCE, sub: "admin" }));
    await expectRefused(rs256(externalKey, { iss: OURS, sub: "admin" }));
  });

  it("refuses - the external issuer named, signed with a key it never published", async () => {
    await expectRefused(rs256(strayKey, { iss: external, aud: AUDIENCE, sub: "svc-1" }));
  });

  it("refuses - the external issuer's token for another audience", async () => {
    await expectRefused(rs256(externalKey, { iss: external, aud: "someone-else", sub: "svc-1" }));
  });

  it("refuses - an issuer we do not know, even one serving its own keys", async () => {
    await expectRefused(rs256(externalKey, { iss: "https://evil.example", aud: AUDIENCE, sub: "svc-1" }));
    await expectRefused(rs256(externalKey, { iss: `${external}/`, aud: AUDIENCE, sub: "svc-1" }));
    await expectRefused(rs256(externalKey, { aud: AUDIENCE, sub: "svc-1" }));
  });
});
