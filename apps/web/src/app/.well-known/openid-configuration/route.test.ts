/**
 * OIDC discovery as an outside verifier reads it (OpenID Connect Discovery 1.0 §3, §4.3):
 * `issuer` equals our tokens' `iss` exactly, and every URL it names is served here.
 */
import { describe, expect, it } from "vitest";
import { getAuth } from "~/server/auth";
import { setupTestDatabase } from "~/test/database";
import { GET } from "./route";

setupTestDatabase();

const ISSUER = "http://localhost:3000"; // AUTH_ISSUER in src/test/setup-env.ts

const decode = (segment: string | undefined) => JSON.parse(Buffer.from(segment ?? "", "base64url").toString());

async function discovery() {
  const response = await GET();
  expect(response.status).toBe(200);
  return { response, body: await response.json() };
}

describe("GET /.well-known/openid-configuration", () => {
  it("names our issuer - exactly the iss of the tokens we sign", async () => {
    const { body } = await discovery();
    const { access_token } = await (await getAuth()).issuer.createAccessToken({ sub: "u1", kind: "user" });
    const [, payload] = access_token.split(".");
    expect(body.issuer).toBe(ISSUER);
    expect(decode(payload).iss).toBe(body.issuer);
  });

  it("claims only what exists - no implicit-flow response type, no ID-token or client-JWT algorithms", async () => {
    const { body } = await discovery();
    expect(body.response_types_supported).toEqual([]);
    for (const absent of [
      "authorization_endpoint",
      "userinfo_endpoint",
      "id_token_signing_alg_values_supported",
      "token_endpoint_auth_signing_alg_values_supported",
    ]) {
      expect(body).not.toHaveProperty(absent);
    }
  });

  it("names the revocation and introspection endpoints, each served by a route", async () => {
    const { body } = await discovery();
    expect(body.revocation_endpoint).toBe(`${ISSUER}/api/revoke`);
    expect(body.introspection_endpoint).toBe(`${ISSUER}/api/introspect`);
    expect(body.introspection_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post"]);
    const revoke = await import("../../api/revoke/route");
    const introspect = await import("../../api/introspect/route");
    expect(typeof revoke.POST).toBe("function");
    expect(typeof introspect.POST).toBe("function");
  });

  it("names the JWKS and token endpoints under the issuer, and the grants the token endpoint serves", async () => {
    const { body } = await discovery();
    expect(body.jwks_uri).toBe(`${ISSUER}/.well-known/jwks.json`);
    expect(body.token_endpoint).toBe(`${ISSUER}/api/token`);
    expect([...body.grant_types_supported].sort()).toEqual(["client_credentials", "password", "refresh_token"]);
    expect(body.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post"]);
  });

  it("lists the app's scopes", async () => {
    const { scopes } = await import("~/server/scopes");
    expect((await discovery()).body.scopes_supported).toEqual(scopes.all);
  });

  it("may be cached for five minutes - public, max-age=300", async () => {
    const { response } = await discovery();
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
