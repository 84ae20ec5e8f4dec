import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { generateApiKey } from "./api-key";
import { createIntrospectionEndpoint, type IntrospectionEndpointOptions } from "./introspection-endpoint";
import { createJwtIssuer, createJwtVerifier, generateJwk, importKeySet, type KeySet } from "./jwt";
import { createMemoryRefreshTokenStore } from "./lib/memory-refresh-token-store";
import type { Principal } from "./principal";
import { createRefreshTokenService, type RefreshTokenService } from "./refresh-token";
import { HierarchicalScopeValidator } from "./scopes";

const ISSUER = "https://gatehouse.test";
const URL_ = `${ISSUER}/api/introspect`;
const ADA = "0b0e3a52-0b8e-4a43-9d1c-aaaaaaaaaaaa";
const RS_ID = "5c7d0a9e-1111-4a43-9d1c-bbbbbbbbbbbb";
const RS_SECRET = "resource server secret";
const T0 = Date.parse("2026-01-01T00:00:00Z");
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;

let keySet: KeySet;
let otherKeySet: KeySet;
beforeAll(async () => {
  keySet = await importKeySet({ keys: [await generateJwk("ES256")] });
  otherKeySet = await importKeySet({ keys: [await generateJwk("ES256")] });
});

let now: number;
let refreshTokens: RefreshTokenService;
let clientScopes: string[];
let liveKey: string;
let endpoint: (request: Request) => Promise<Response>;

function build(overrides: Partial<IntrospectionEndpointOptions> = {}) {
  const verifier = createJwtVerifier({ keySet, algorithms: ["ES256"], issuer: ISSUER, audience: null, now: () => now });
  endpoint = createIntrospectionEndpoint({
    async authenticateClient(id, secret) {
      return id === RS_ID && secret === RS_SECRET ? { scopes: clientScopes } : null;
    },
    requiredScope: "tokens:introspect",
    scopeValidator: new HierarchicalScopeValidator(),
    verifyAccessToken: (token) => verifier.verify(token).catch(() => null),
    async verifyApiKey(key): Promise<Principal | null> {
      return key === liveKey
        ? { subject: ADA, kind: "api_key", scopes: ["notes:read"], claims: { key_id: "k1", exp: 1_800_000_000 } }
        : null;
    },
    refreshTokens,
    ...overrides,
  });
}

beforeEach(() => {
  now = T0;
  clientScopes = ["tokens:introspect"];
  liveKey = generateApiKey({ environment: "test" }).key;
  refreshTokens = createRefreshTokenService({
    store: createMemoryRefreshTokenStore(new Map([[ADA, { disabled: false, scopes: ["notes:*"] }]])),
    scopeValidator: new HierarchicalScopeValidator(),
    successorKey: new Uint8Array(32).fill(1),
    now: () => now,
  });
  build();
});

async function introspect(
  params: Record<string, string>,
  headers: Record<string, string> = { ...FORM, authorization: basic(RS_ID, RS_SECRET) },
) {
  const response = await endpoint(
    new Request(URL_, { method: "POST", headers, body: new URLSearchParams(params).toString() }),
  );
  expect(response.headers.get("cache-control")).toBe("no-store");
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const issue = (keys: KeySet, claims: Record<string, unknown>, issuer = ISSUER) =>
  createJwtIssuer({ keySet: keys, issuer, now: () => now }).createAccessToken(
    { sub: ADA, kind: "api_key", scope: "notes:read", client_id: "k1", ...claims },
    { expiresIn: 600 },
  );

describe("an active token", () => {
  it("our access token - active with scope, sub, client_id, exp, iat and token_type Bearer", async () => {
    const { access_token } = await issue(keySet, {});
    const { status, body } = await introspect({ token: access_token });
    expect(status).toBe(200);
    expect(body).toEqual({
      active: true,
      token_type: "Bearer",
      scope: "notes:read",
      sub: ADA,
      client_id: "k1",
      exp: T0 / 1000 + 600,
      iat: T0 / 1000,
    });
  });

  it("a live refresh token - active, token_type refresh_token, no family or user agent", async () => {
    const issued = await refreshTokens.issue({ userId: ADA, scopes: ["notes:read"], userAgent: "curl" });
    const { body } = await introspect({ token: issued.token }, { ...FORM, authorization: basic(RS_ID, RS_SECRET) });
    expect(body).toEqual({
      active: true,
      token_type: "refresh_token",
      scope: "notes:read",
      sub: ADA,
      exp: Math.floor(issued.expiresAt.getTime() / 1000),
      iat: T0 / 1000,
    });
  });

  it("an API key - active, its id as client_id; credentials in the form work too", async () => {
    const { body } = await introspect({ token: liveKey, client_id: RS_ID, client_secret: RS_SECRET }, FORM);
    expect(body).toEqual({
      active: true,
      token_type: "api_key",
      scope: "notes:read",
      sub: ADA,
      client_id: "k1",
      exp: 1_800_000_000,
    });
  });
});

describe("an inactive token - { active: false } and nothing else", () => {
  it("expired, tampered, another issuer's, signed by another key, garbage", async () => {
    const expired = (await issue(keySet, {})).access_token;
    const good = (await issue(keySet, {})).access_token;
    const [header, payload, signature] = good.split(".");
    const forged = Buffer.from(payload ?? "", "base64url")
      .toString()
      .replace('"notes:read"', '"notes:*"');
    const tampered = `${header}.${Buffer.from(forged).toString("base64url")}.${signature}`;
    const otherIssuer = (await issue(keySet, {}, "https://evil.test")).access_token;
    const otherKey = (await issue(otherKeySet, {})).access_token;
    const tokens = { tampered, otherIssuer, otherKey, garbage: "not a token" };
    for (const [name, token] of Object.entries(tokens)) {
      expect({ name, body: (await introspect({ token })).body }).toEqual({ name, body: { active: false } });
    }
    now = T0 + 3_600_000; // past exp and any clock tolerance
    expect((await introspect({ token: expired })).body).toEqual({ active: false });
  });

  it("a revoked, a spent and an unknown refresh token; a refused API key", async () => {
    const revoked = await refreshTokens.issue({ userId: ADA, scopes: ["notes:read"] });
    await refreshTokens.revoke(revoked.token);
    const spent = await refreshTokens.issue({ userId: ADA, scopes: ["notes:read"] });
    await refreshTokens.rotate(spent.token);
    const unknown = `ghr_${"A".repeat(43)}`;
    const otherKey = generateApiKey({ environment: "test" }).key;
    for (const token of [revoked.token, spent.token, unknown, otherKey]) {
      expect((await introspect({ token })).body).toEqual({ active: false });
    }
  });
});

describe("the caller", () => {
  it("without credentials, or with wrong ones - 401 invalid_client with a Basic challenge, token not looked at", async () => {
    const verifyAccessToken = vi.fn(async () => null);
    build({ verifyAccessToken });
    for (const headers of [FORM, { ...FORM, authorization: basic(RS_ID, "wrong") }]) {
      const { status, headers: answer, body } = await introspect({ token: "x.y.z" }, headers);
      expect(status).toBe(401);
      expect(body.error).toBe("invalid_client");
      expect(answer.get("www-authenticate")).toMatch(/^Basic realm="gatehouse"/);
    }
    const formWrong = await introspect({ token: "x.y.z", client_id: RS_ID, client_secret: "wrong" }, FORM);
    expect(formWrong.status).toBe(401);
    expect(verifyAccessToken).not.toHaveBeenCalled();
  });

  it("authenticated without the introspect scope - 403 insufficient_scope, even holding notes:*", async () => {
    clientScopes = ["notes:*", "api_keys:*"];
    const { access_token } = await issue(keySet, {});
    const { status, body } = await introspect({ token: access_token });
    expect(status).toBe(403);
    expect(body).toEqual({ error: "insufficient_scope", error_description: "The client may not introspect tokens" });
  });

  it("a JSON body or no content type - invalid_request, even with good credentials", async () => {
    const { access_token } = await issue(keySet, {});
    for (const contentType of ["application/json", "text/plain"]) {
      const response = await endpoint(
        new Request(URL_, {
          method: "POST",
          headers: { "content-type": contentType, authorization: basic(RS_ID, RS_SECRET) },
          body: JSON.stringify({ token: access_token }),
        }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBe("invalid_request");
      // A well-formed form body under the wrong label is refused too: the media type decides.
      const mislabelled = await endpoint(
        new Request(URL_, {
          method: "POST",
          headers: { "content-type": contentType, authorization: basic(RS_ID, RS_SECRET) },
          body: new URLSearchParams({ token: access_token }).toString(),
        }),
      );
      expect(mislabelled.status).toBe(400);
    }
  });

  it("a missing or repeated token - invalid_request", async () => {
    expect((await introspect({})).status).toBe(400);
    const repeated = await endpoint(
      new Request(URL_, {
        method: "POST",
        headers: { ...FORM, authorization: basic(RS_ID, RS_SECRET) },
        body: "token=a&token=b",
      }),
    );
    expect(repeated.status).toBe(400);
  });

  it("a port that throws - 503, never active", async () => {
    build({ verifyApiKey: async () => Promise.reject(new Error("database down")) });
    const { status, body } = await introspect({ token: liveKey });
    expect(status).toBe(503);
    expect(body).toMatchObject({ error: "temporarily_unavailable" });
  });

  it("options - an invalid requiredScope is a TypeError at construction", () => {
    expect(() => build({ requiredScope: "introspect everything" })).toThrow(TypeError);
  });
});
