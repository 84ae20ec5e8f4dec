import { beforeEach, describe, expect, it, vi } from "vitest";
import { generateApiKey } from "./api-key";
import { createMemoryRefreshTokenStore } from "./lib/memory-refresh-token-store";
import { createRefreshTokenService, isRefreshTokenError, type RefreshTokenService } from "./refresh-token";
import { createRevocationEndpoint, type RevocationEndpointOptions } from "./revocation-endpoint";
import { HierarchicalScopeValidator } from "./scopes";

const ADA = "0b0e3a52-0b8e-4a43-9d1c-aaaaaaaaaaaa";
const URL_ = "https://gatehouse.test/api/revoke";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let refreshTokens: RefreshTokenService;
let revokeApiKey: ReturnType<typeof vi.fn<(key: string) => Promise<void>>>;
let revokeAccessToken: ReturnType<typeof vi.fn<(token: string) => Promise<void>>>;
let endpoint: (request: Request) => Promise<Response>;

function build(overrides: Partial<RevocationEndpointOptions> = {}) {
  endpoint = createRevocationEndpoint({ refreshTokens, revokeApiKey, revokeAccessToken, ...overrides });
}

beforeEach(() => {
  refreshTokens = createRefreshTokenService({
    store: createMemoryRefreshTokenStore(new Map([[ADA, { disabled: false, scopes: ["notes:*"] }]])),
    scopeValidator: new HierarchicalScopeValidator(),
    successorKey: new Uint8Array(32).fill(1),
  });
  revokeApiKey = vi.fn(async () => {});
  revokeAccessToken = vi.fn(async () => {});
  build();
});

const revoke = (body: string, headers: Record<string, string> = FORM, method = "POST") =>
  endpoint(new Request(URL_, { method, headers, ...(method === "GET" ? {} : { body }) }));

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function rotateFails(token: string) {
  const error = await refreshTokens.rotate(token).then(
    () => null,
    (caught: unknown) => caught,
  );
  return isRefreshTokenError(error);
}

describe("revoking", () => {
  it("a refresh token: 200 with an empty body, and its whole family refreshes no more", async () => {
    const first = await refreshTokens.issue({ userId: ADA, scopes: ["notes:read"] });
    const rotated = await refreshTokens.rotate(first.token);
    const response = await revoke(form({ token: first.token, token_type_hint: "refresh_token" }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    expect(response.headers.get("cache-control")).toBe("no-store");
    // The spent token named the family: its live successor dies with it.
    expect(await rotateFails(rotated.token)).toBe(true);
  });

  it("an API key: handed to the app's revoke port, whatever the hint says", async () => {
    const { key } = generateApiKey({ environment: "test" });
    const response = await revoke(form({ token: key, token_type_hint: "refresh_token" }));
    expect(response.status).toBe(200);
    expect(revokeApiKey).toHaveBeenCalledWith(key);
    expect(revokeAccessToken).not.toHaveBeenCalled();
  });

  it("an access token: handed to the revokeAccessToken port", async () => {
    const response = await revoke(form({ token: "eyJhbGciOiJFUzI1NiJ9.e30.c2ln" }));
    expect(response.status).toBe(200);
    expect(revokeAccessToken).toHaveBeenCalledWith("eyJhbGciOiJFUzI1NiJ9.e30.c2ln");
    expect(revokeApiKey).not.toHaveBeenCalled();
  });

  it("an access token without the port - still 200 (RFC 7009 §2.2)", async () => {
    build({ revokeAccessToken: undefined });
    expect((await revoke(form({ token: "eyJhbGciOiJFUzI1NiJ9.e30.c2ln" }))).status).toBe(200);
  });

  it("an unknown or malformed refresh token - 200, as if revoked (§2.2)", async () => {
    for (const token of [`ghr_${"A".repeat(43)}`, "ghr_short", "nonsense"]) {
      expect((await revoke(form({ token }))).status).toBe(200);
    }
  });
});

describe("refusing", () => {
  it("a JSON body - invalid_request, and nothing is revoked", async () => {
    const issued = await refreshTokens.issue({ userId: ADA, scopes: ["notes:read"] });
    const response = await revoke(JSON.stringify({ token: issued.token }), { "content-type": "application/json" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
    expect(await rotateFails(issued.token)).toBe(false);
  });

  it("a form body labelled JSON or text - invalid_request: the media type decides, not the bytes", async () => {
    const issued = await refreshTokens.issue({ userId: ADA, scopes: ["notes:read"] });
    for (const contentType of ["application/json", "text/plain", "multipart/form-data; boundary=x"]) {
      const response = await revoke(form({ token: issued.token }), { "content-type": contentType });
      expect(response.status).toBe(400);
    }
    expect(await rotateFails(issued.token)).toBe(false);
  });

  it("a missing content type, a GET, a repeated token, no token", async () => {
    expect((await revoke(form({ token: "x" }), {})).status).toBe(400);
    expect((await revoke("", FORM, "GET")).status).toBe(405);
    const repeated = await revoke("token=a&token=b");
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toEqual({
      error: "invalid_request",
      error_description: "A parameter is repeated: token",
    });
    expect((await revoke(form({ token_type_hint: "access_token" }))).status).toBe(400);
    expect(revokeAccessToken).not.toHaveBeenCalled();
  });

  it("a body over the cap - 413", async () => {
    build({ maxBodyBytes: 64 });
    expect((await revoke(form({ token: "x".repeat(100) }))).status).toBe(413);
  });

  it("a port that throws - 503 temporarily_unavailable, the cause to onError only", async () => {
    const onError = vi.fn(() => "req-1");
    build({ revokeApiKey: async () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.5")), onError });
    const response = await revoke(form({ token: generateApiKey({ environment: "test" }).key }));
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: "temporarily_unavailable", request_id: "req-1" });
    expect(text).not.toContain("ECONNREFUSED");
    expect(onError).toHaveBeenCalledOnce();
  });

  it("options - a missing revokeApiKey port is a TypeError at construction", () => {
    expect(() => createRevocationEndpoint({ refreshTokens } as unknown as RevocationEndpointOptions)).toThrow(
      TypeError,
    );
  });
});
