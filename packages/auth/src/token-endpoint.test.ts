import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createJwtIssuer, createJwtVerifier, generateJwk, importKeySet, type KeySet } from "./jwt";
import { createMemoryRefreshTokenStore, type MemoryRefreshTokenStore } from "./lib/memory-refresh-token-store";
import { createRefreshTokenService, type RefreshTokenService } from "./refresh-token";
import { HierarchicalScopeValidator } from "./scopes";
import {
  type AuthenticatedClient,
  createTokenEndpoint,
  type PasswordThrottle,
  type TokenEndpointOptions,
} from "./token-endpoint";

const ISSUER = "https://gatehouse.test";
const URL_ = `${ISSUER}/api/token`;
const ADA = "0b0e3a52-0b8e-4a43-9d1c-aaaaaaaaaaaa";
const PASSWORD = "correct horse battery staple";
const KEY_ID = "5c7d0a9e-1111-4a43-9d1c-bbbbbbbbbbbb";
const KEY_SECRET = "gh_test_secret+with/odd:chars%";
const T0 = Date.parse("2026-01-01T00:00:00Z");

let keySet: KeySet;
beforeAll(async () => {
  keySet = await importKeySet({ keys: [await generateJwk("ES256")] });
});

let now: number;
let store: MemoryRefreshTokenStore;
let refreshTokens: RefreshTokenService;
let options: TokenEndpointOptions;
let endpoint: (request: Request) => Promise<Response>;
const responses: Response[] = [];

function build(overrides: Partial<TokenEndpointOptions> = {}) {
  options = {
    issuer: createJwtIssuer({ keySet, issuer: ISSUER, now: () => now }),
    refreshTokens,
    scopeValidator: new HierarchicalScopeValidator(),
    accessTokenTtlSeconds: 600,
    async authenticatePassword(username, password) {
      return username.toLowerCase() === "ada@example.com" && password === PASSWORD
        ? { userId: ADA, scopes: ["notes:*", "users:read"] }
        : null;
    },
    async authenticateClient(clientId, clientSecret): Promise<AuthenticatedClient | null> {
      return clientId === KEY_ID && clientSecret === KEY_SECRET
        ? {
            subject: ADA,
            kind: "api_key",
            scopes: ["notes:read"],
            claims: { key_name: "ci", sub: "forged", exp: 9_999_999_999, kind: "service" },
          }
        : null;
    },
    ...overrides,
  };
  endpoint = createTokenEndpoint(options);
}

beforeEach(() => {
  now = T0;
  store = createMemoryRefreshTokenStore(new Map([[ADA, { disabled: false, scopes: ["notes:*", "users:read"] }]]));
  refreshTokens = createRefreshTokenService({
    store,
    scopeValidator: new HierarchicalScopeValidator(),
    successorKey: new Uint8Array(32).fill(1),
    now: () => now,
  });
  build();
});

// Every answer, success or error, must be uncacheable (RFC 6749 §5.1, §5.2).
afterEach(() => {
  for (const response of responses.splice(0)) {
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
  }
});

async function call(request: Request): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await endpoint(request);
  responses.push(response);
  const text = await response.text();
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

function form(params: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

function raw(body: string, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeForm(id)}:${encodeForm(secret)}`)}`;
const encodeForm = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

const login = (extra: Record<string, string> = {}) =>
  call(form({ grant_type: "password", username: "ada@example.com", password: PASSWORD, ...extra }));

describe("password grant", () => {
  it("returns an access and a refresh token with every held scope", async () => {
    const { status, body } = await login();
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 600, scope: "notes:* users:read" });
    expect(body.refresh_token).toMatch(/^ghr_/);
    const claims = decodeJwt(body.access_token as string);
    expect(claims).toMatchObject({ iss: ISSUER, sub: ADA, kind: "user", scope: "notes:* users:read" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(body.expires_in);
    expect(decodeProtectedHeader(body.access_token as string).kid).toBe(keySet.current.kid);

    const verifier = createJwtVerifier({
      keySet,
      algorithms: ["ES256"],
      issuer: ISSUER,
      audience: null,
      now: () => now,
    });
    const principal = await verifier.verify(body.access_token as string);
    expect(principal).toMatchObject({ subject: ADA, kind: "user", scopes: ["notes:*", "users:read"] });
  });

  it("starts a refresh family with the user's user agent and the granted scopes", async () => {
    await call(
      form(
        { grant_type: "password", username: "ada@example.com", password: PASSWORD, scope: "notes:read" },
        { "user-agent": "Firefox/140" },
      ),
    );
    expect(store.rows[0]).toMatchObject({ userId: ADA, userAgent: "Firefox/140", scopes: ["notes:read"] });
  });

  it("answers a wrong password and an unknown user identically", async () => {
    const wrong = await call(form({ grant_type: "password", username: "ada@example.com", password: "nope" }));
    const unknown = await call(form({ grant_type: "password", username: "eve@example.com", password: "nope" }));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ error: "invalid_grant", error_description: "Invalid username or password" });
    expect(unknown).toEqual(wrong);
    expect(JSON.stringify(wrong.body)).not.toContain("nope");
  });

  it("refuses a request - missing username or password", async () => {
    const cases: Record<string, string>[] = [
      { grant_type: "password", password: PASSWORD },
      { grant_type: "password", username: "ada@example.com" },
      { grant_type: "password", username: "ada@example.com", password: "" },
    ];
    for (const params of cases) {
      const { status, body } = await call(form(params));
      expect(status).toBe(400);
      expect(body.error).toBe("invalid_request");
    }
  });
});

describe("onPasswordAttempt", () => {
  it("hears succeeded, failed and throttled - with the request, never the password; its error changes nothing", async () => {
    const heard: { username: string; outcome: string; userId: string | null; ua: string | null }[] = [];
    let refuse = false;
    build({
      throttle: { reserve: async () => (refuse ? { allowed: false, retryAfterSeconds: 30 } : { allowed: true }) },
      onPasswordAttempt: ({ username, outcome, userId, request, ...rest }) => {
        expect(rest).toEqual({});
        heard.push({ username, outcome, userId, ua: request.headers.get("user-agent") });
        throw new Error("the log is down");
      },
    });
    const ua = { "user-agent": "curl/8" };
    expect(
      (await call(form({ grant_type: "password", username: "ada@example.com", password: PASSWORD }, ua))).status,
    ).toBe(200);
    expect(
      (await call(form({ grant_type: "password", username: "ada@example.com", password: "nope" }, ua))).status,
    ).toBe(400);
    refuse = true;
    expect(
      (await call(form({ grant_type: "password", username: "ada@example.com", password: PASSWORD }, ua))).status,
    ).toBe(429);
    expect(heard).toEqual([
      { username: "ada@example.com", outcome: "succeeded", userId: ADA, ua: "curl/8" },
      { username: "ada@example.com", outcome: "failed", userId: null, ua: "curl/8" },
      { username: "ada@example.com", outcome: "throttled", userId: null, ua: "curl/8" },
    ]);
  });
});

describe("scope", () => {
  it("narrows to the requested scopes the user holds", async () => {
    const { body } = await login({ scope: "notes:read users:read" });
    expect(body.scope).toBe("notes:read users:read");
    expect(decodeJwt(body.access_token as string).scope).toBe("notes:read users:read");
  });

  it("refuses a scope the user does not hold - invalid_scope, never widened", async () => {
    for (const scope of ["users:write", "notes:read admin:*", "*:*"]) {
      const { status, body } = await login({ scope });
      expect(status).toBe(400);
      expect(body.error).toBe("invalid_scope");
    }
    expect(store.rows).toHaveLength(0);
  });

  it("refuses a malformed scope - invalid_scope", async () => {
    for (const scope of ["notes", "notes:read  users:read", " notes:read", "a:b:c"]) {
      expect((await login({ scope })).body.error).toBe("invalid_scope");
    }
  });

  it("treats an empty scope parameter as omitted (RFC 6749 §3.1)", async () => {
    expect((await login({ scope: "" })).body.scope).toBe("notes:* users:read");
  });

  it("grants only requested scopes that held scopes satisfy, for any request", async () => {
    const candidates = ["notes:read", "notes:write", "notes:*", "users:read", "users:write", "admin:read", "*:read"];
    const validator = new HierarchicalScopeValidator();
    for (let mask = 1; mask < 1 << candidates.length; mask += 7) {
      const requested = candidates.filter((_, i) => mask & (1 << i));
      const { status, body } = await login({ scope: requested.join(" ") });
      if (status === 200) {
        const granted = (body.scope as string).split(" ");
        for (const scope of granted) {
          expect(requested).toContain(scope);
          expect(validator.satisfies(["notes:*", "users:read"], scope)).toBe(true);
        }
      } else {
        expect(body.error).toBe("invalid_scope");
        expect(requested.some((s) => !validator.satisfies(["notes:*", "users:read"], s))).toBe(true);
      }
    }
  });
});

describe("refresh_token grant", () => {
  it("rotates: a new access token and a new refresh token", async () => {
    const first = await login();
    now += 60_000;
    const { status, body } = await call(
      form({ grant_type: "refresh_token", refresh_token: first.body.refresh_token as string }),
    );
    expect(status).toBe(200);
    expect(body.refresh_token).toMatch(/^ghr_/);
    expect(body.refresh_token).not.toBe(first.body.refresh_token);
    expect(body.scope).toBe("notes:* users:read");
    const claims = decodeJwt(body.access_token as string);
    expect(claims).toMatchObject({ sub: ADA, kind: "user", iat: now / 1000 });
    // Same sign-in, same family: revoking it must reach the rotated access token too.
    expect(claims.sid).toBe(decodeJwt(first.body.access_token as string).sid);
  });

  it("names the refresh family in sid - so revoking the sign-in reaches its access tokens", async () => {
    const { body } = await login();
    const sid = decodeJwt(body.access_token as string).sid;
    expect(typeof sid).toBe("string");
    const families = await refreshTokens.listActiveFamilies(ADA);
    expect(families.map((family) => family.familyId)).toContain(sid);
  });

  it("narrows the access token with scope, keeps the refresh token's scope", async () => {
    const first = await login();
    const narrowed = await call(
      form({ grant_type: "refresh_token", refresh_token: first.body.refresh_token as string, scope: "notes:read" }),
    );
    expect(narrowed.body.scope).toBe("notes:read");
    const next = await call(
      form({ grant_type: "refresh_token", refresh_token: narrowed.body.refresh_token as string }),
    );
    expect(next.body.scope).toBe("notes:* users:read");
  });

  it("refuses a wider scope - invalid_scope, and the refresh token still works", async () => {
    const first = await login({ scope: "notes:read" });
    const token = first.body.refresh_token as string;
    const wider = await call(form({ grant_type: "refresh_token", refresh_token: token, scope: "notes:write" }));
    expect(wider).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    expect((await call(form({ grant_type: "refresh_token", refresh_token: token }))).status).toBe(200);
  });

  it("refuses an unknown, malformed or missing refresh token without echoing it", async () => {
    const unknown = await call(form({ grant_type: "refresh_token", refresh_token: `ghr_${"A".repeat(43)}` }));
    expect(unknown).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "Invalid refresh token" },
    });
    expect(JSON.stringify(unknown.body)).not.toContain("AAAA");
    expect((await call(form({ grant_type: "refresh_token", refresh_token: "garbage" }))).body.error).toBe(
      "invalid_grant",
    );
    expect((await call(form({ grant_type: "refresh_token" }))).body.error).toBe("invalid_request");
  });

  it("detects reuse: a spent token after the grace window revokes the family", async () => {
    const first = await login();
    const token = first.body.refresh_token as string;
    const second = await call(form({ grant_type: "refresh_token", refresh_token: token }));
    now += 31_000;
    const replay = await call(form({ grant_type: "refresh_token", refresh_token: token }));
    expect(replay).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const legit = await call(form({ grant_type: "refresh_token", refresh_token: second.body.refresh_token as string }));
    expect(legit).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("serves two tabs refreshing with one cookie at once; both stay signed in", async () => {
    const first = await login();
    const token = first.body.refresh_token as string;
    const [a, b] = await Promise.all([
      call(form({ grant_type: "refresh_token", refresh_token: token })),
      call(form({ grant_type: "refresh_token", refresh_token: token })),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // One branch: the later tab's answer is a retry and carries the same successor.
    expect(a.body.refresh_token).toBe(b.body.refresh_token);
    for (const tab of [a, b]) {
      expect(
        (await call(form({ grant_type: "refresh_token", refresh_token: tab.body.refresh_token as string }))).status,
      ).toBe(200);
    }
  });

  it("refuses a disabled user, and narrows to the user's current scopes", async () => {
    const first = await login();
    store.users.set(ADA, { disabled: false, scopes: ["notes:read"] });
    const narrowed = await call(
      form({ grant_type: "refresh_token", refresh_token: first.body.refresh_token as string }),
    );
    expect(narrowed.body.scope).toBe("notes:read");
    store.users.set(ADA, { disabled: true, scopes: ["notes:read"] });
    const refused = await call(
      form({ grant_type: "refresh_token", refresh_token: narrowed.body.refresh_token as string }),
    );
    expect(refused).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "Invalid refresh token" },
    });
  });
});

describe("client_credentials grant", () => {
  it("returns an access token and no refresh token - credentials in the form", async () => {
    const { status, body } = await call(
      form({ grant_type: "client_credentials", client_id: KEY_ID, client_secret: KEY_SECRET }),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 600, scope: "notes:read" });
    expect(body).not.toHaveProperty("refresh_token");
    const claims = decodeJwt(body.access_token as string);
    // Custom claims are kept; the port cannot override sub, kind or exp.
    expect(claims).toMatchObject({ sub: ADA, kind: "api_key", scope: "notes:read", client_id: KEY_ID, key_name: "ci" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect(store.rows).toHaveLength(0);
  });

  it("caps the access token at the key's expiry - a token never outlives the key behind it", async () => {
    const expiresAt = T0 / 1000 + 120;
    const client = { subject: ADA, kind: "api_key" as const, scopes: ["notes:read"], expiresAt };
    build({ authenticateClient: async () => client, accessTokenTtlSeconds: 600, now: () => now });
    const { status, body } = await call(
      form({ grant_type: "client_credentials", client_id: KEY_ID, client_secret: KEY_SECRET }),
    );
    expect(status).toBe(200);
    expect(body.expires_in).toBe(120);
    expect(decodeJwt(body.access_token as string).exp).toBe(expiresAt);
    // A port that still answers for a key at its expiry gets no token (not a 503 from a zero lifetime).
    now = expiresAt * 1000 + 400;
    const late = await call(form({ grant_type: "client_credentials", client_id: KEY_ID, client_secret: KEY_SECRET }));
    expect(late).toMatchObject({ status: 400, body: { error: "invalid_client" } });
  });

  it("accepts HTTP Basic with form-urlencoded id and secret (RFC 6749 §2.3.1)", async () => {
    const { status, body } = await call(
      form({ grant_type: "client_credentials", scope: "notes:read" }, { authorization: basic(KEY_ID, KEY_SECRET) }),
    );
    expect(status).toBe(200);
    expect(decodeJwt(body.access_token as string).client_id).toBe(KEY_ID);
  });

  it("refuses a wider scope than the key holds - invalid_scope", async () => {
    const { status, body } = await call(
      form({ grant_type: "client_credentials", client_id: KEY_ID, client_secret: KEY_SECRET, scope: "notes:write" }),
    );
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_scope");
  });

  it("refuses a wrong secret over Basic - 401 with a Basic challenge, nothing echoed", async () => {
    const { status, headers, body } = await call(
      form({ grant_type: "client_credentials" }, { authorization: basic(KEY_ID, "wrong-secret") }),
    );
    expect(status).toBe(401);
    expect(headers.get("www-authenticate")).toBe('Basic realm="gatehouse"');
    expect(body.error).toBe("invalid_client");
    expect(JSON.stringify(body)).not.toContain("wrong-secret");
  });

  it("refuses a wrong secret or unknown id in the form - 400 invalid_client, same body", async () => {
    const wrong = await call(form({ grant_type: "client_credentials", client_id: KEY_ID, client_secret: "x" }));
    const unknown = await call(form({ grant_type: "client_credentials", client_id: "nope", client_secret: "x" }));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe("invalid_client");
    expect(wrong.headers.get("www-authenticate")).toBeNull();
    expect(unknown.body).toEqual(wrong.body);
  });

  it("refuses a malformed Basic header - 401 invalid_client", async () => {
    for (const authorization of ["Basic", "Basic !!!", `Basic ${btoa("no-colon")}`, `Basic ${btoa(":secret")}`]) {
      const { status, body } = await call(form({ grant_type: "client_credentials" }, { authorization }));
      expect(status).toBe(401);
      expect(body.error).toBe("invalid_client");
    }
  });

  it("refuses two authentication methods at once - invalid_request", async () => {
    const { status, body } = await call(
      form(
        { grant_type: "client_credentials", client_id: KEY_ID, client_secret: KEY_SECRET },
        { authorization: basic(KEY_ID, KEY_SECRET) },
      ),
    );
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_request");
  });

  it("asks for client authentication when none is given", async () => {
    const { status, headers, body } = await call(form({ grant_type: "client_credentials" }));
    expect(status).toBe(401);
    expect(headers.get("www-authenticate")).toBe('Basic realm="gatehouse"');
    expect(body.error).toBe("invalid_client");
    expect((await call(form({ grant_type: "client_credentials", client_secret: KEY_SECRET }))).body.error).toBe(
      "invalid_request",
    );
  });
});

describe("request format", () => {
  it("refuses a method other than POST - 405", async () => {
    const { status, headers, body } = await call(new Request(`${URL_}?grant_type=password`, { method: "GET" }));
    expect(status).toBe(405);
    expect(headers.get("allow")).toBe("POST");
    expect(body.error).toBe("invalid_request");
  });

  it("refuses a JSON body even with valid credentials", async () => {
    const { status, body } = await call(
      new Request(URL_, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "password", username: "ada@example.com", password: PASSWORD }),
      }),
    );
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_request");
    expect(store.rows).toHaveLength(0);
  });

  it("refuses a body without a content type", async () => {
    const request = new Request(URL_, { method: "POST", body: new Blob(["grant_type=password"]) });
    expect((await call(request)).body.error).toBe("invalid_request");
  });

  it("accepts the form media type in any case, with a charset", async () => {
    const request = raw(
      new URLSearchParams({ grant_type: "password", username: "ada@example.com", password: PASSWORD }).toString(),
      { "content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8" },
    );
    expect((await call(request)).status).toBe(200);
  });

  it("refuses a repeated parameter - invalid_request, value not echoed (RFC 6749 §3.2)", async () => {
    const { status, body } = await call(
      raw(`grant_type=password&username=ada%40example.com&password=${encodeURIComponent(PASSWORD)}&password=other`),
    );
    expect(status).toBe(400);
    expect(body).toEqual({ error: "invalid_request", error_description: "A parameter is repeated: password" });
    const repeatedGrant = await call(raw("grant_type=password&grant_type=client_credentials"));
    expect(repeatedGrant.body.error).toBe("invalid_request");
    const unknownName = await call(raw("x%20secret=1&x%20secret=2&grant_type=password"));
    expect(unknownName.body.error_description).toBe("A parameter is repeated");
  });

  it("refuses a body over the size cap - 413, declared or streamed", async () => {
    const big = `grant_type=password&username=a&password=${"x".repeat(9000)}`;
    expect((await call(raw(big))).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1000)));
        controller.close();
      },
    });
    const streamed = new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const { status, body } = await call(streamed);
    expect(status).toBe(413);
    expect(body.error).toBe("invalid_request");
  });

  it("refuses a declared oversized body unread - 413 before a byte is pulled", async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new Uint8Array(1000));
        },
      },
      { highWaterMark: 0 }, // pulled only when read
    );
    const request = new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "100000" },
      body,
      duplex: "half",
    } as RequestInit);
    const { status, body: answer } = await call(request);
    expect(status).toBe(413);
    expect(answer.error).toBe("invalid_request");
    expect(pulls).toBe(0);
  });

  it("refuses a body that is not UTF-8", async () => {
    const request = new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new Uint8Array([0x67, 0x3d, 0xff, 0xfe]),
    });
    expect((await call(request)).body.error).toBe("invalid_request");
  });

  it("refuses a NUL in any parameter - 400 invalid_request, the ports never called", async () => {
    const authenticatePassword = vi.fn(options.authenticatePassword);
    const authenticateClient = vi.fn(options.authenticateClient);
    build({ authenticatePassword, authenticateClient });
    const cases: Record<string, string>[] = [
      { grant_type: "password", username: "ada@example.com\0", password: PASSWORD },
      { grant_type: "password", username: "ada@example.com", password: `${PASSWORD}\0` },
      { grant_type: "client_credentials", client_id: KEY_ID, client_secret: `\0${KEY_SECRET}` },
      { grant_type: "refresh_token", refresh_token: "a\0b" },
    ];
    for (const params of cases) {
      const { status, body } = await call(form(params));
      expect(status).toBe(400);
      expect(body).toEqual({ error: "invalid_request", error_description: "A parameter contains a NUL character" });
    }
    expect(authenticatePassword).not.toHaveBeenCalled();
    expect(authenticateClient).not.toHaveBeenCalled();
  });

  it("refuses a missing grant_type - invalid_request; an unknown one - unsupported_grant_type", async () => {
    expect((await call(form({ username: "a" }))).body.error).toBe("invalid_request");
    const unknown = await call(form({ grant_type: "authorization_code", code: "x" }));
    expect(unknown).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
  });
});

describe("throttle", () => {
  it("answers 429 invalid_request (a §5.2 code) with Retry-After, without checking the password", async () => {
    const authenticatePassword = vi.fn(options.authenticatePassword);
    const throttle: PasswordThrottle = {
      reserve: vi.fn(async () => ({ allowed: false as const, retryAfterSeconds: 12.2 })),
    };
    build({ authenticatePassword, throttle, clientAddress: () => "203.0.113.7" });
    const { status, headers, body } = await login();
    expect(status).toBe(429);
    expect(headers.get("retry-after")).toBe("13");
    expect(body.error).toBe("invalid_request");
    expect(authenticatePassword).not.toHaveBeenCalled();
    expect(throttle.reserve).toHaveBeenCalledWith({ username: "ada@example.com", address: "203.0.113.7" });
  });

  it("reserves before the password is checked and settles each outcome after", async () => {
    const events: string[] = [];
    const original = options.authenticatePassword;
    const authenticatePassword = vi.fn(async (username: string, password: string) => {
      events.push("verify");
      return original(username, password);
    });
    const throttle: PasswordThrottle = {
      async reserve({ username, address }) {
        events.push(`reserve ${username} ${address}`);
        return { allowed: true, settle: async (outcome) => void events.push(outcome) };
      },
    };
    build({ authenticatePassword, throttle });
    await call(form({ grant_type: "password", username: " ADA@example.com ", password: "nope" }));
    await login();
    expect(events).toEqual([
      "reserve  ADA@example.com  null",
      "verify",
      "failure",
      "reserve ada@example.com null",
      "verify",
      "success",
    ]);
  });

  it("does not throttle client credentials", async () => {
    const reserve = vi.fn(async () => ({ allowed: false as const, retryAfterSeconds: 1 }));
    build({ throttle: { reserve } });
    const { status } = await call(
      form({ grant_type: "client_credentials", client_id: KEY_ID, client_secret: KEY_SECRET }),
    );
    expect(status).toBe(200);
    expect(reserve).not.toHaveBeenCalled();
  });
});

describe("a port that fails", () => {
  const down = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432 at secret-host"));

  it("answers 503 temporarily_unavailable, never a 500 or a stack", async () => {
    const onError = vi.fn();
    const cases: [Partial<TokenEndpointOptions>, Request][] = [
      [{ authenticatePassword: down }, form({ grant_type: "password", username: "a", password: "b" })],
      [{ authenticateClient: down }, form({ grant_type: "client_credentials", client_id: "a", client_secret: "b" })],
      [{ throttle: { reserve: down } }, form({ grant_type: "password", username: "a", password: "b" })],
    ];
    for (const [overrides, request] of cases) {
      build({ ...overrides, onError });
      const { status, headers, body } = await call(request);
      expect(status).toBe(503);
      expect(headers.get("retry-after")).toBe("5");
      expect(body).toEqual({
        error: "temporarily_unavailable",
        error_description: "The service is temporarily unavailable",
      });
    }
    expect(onError).toHaveBeenCalledTimes(3);
  });

  it("sends the reference onError returns as request_id, and nothing of the error", async () => {
    build({ authenticatePassword: down, onError: () => "3f1c9a52-7e1b-4c1e-9d2a-000000000001" });
    const { status, body } = await call(form({ grant_type: "password", username: "a", password: "b" }));
    expect(status).toBe(503);
    expect(body).toEqual({
      error: "temporarily_unavailable",
      error_description: "The service is temporarily unavailable",
      request_id: "3f1c9a52-7e1b-4c1e-9d2a-000000000001",
    });
  });

  it("answers 503 when the refresh-token store is down, on login and on refresh", async () => {
    const first = await login();
    store.findByHash = down;
    store.insert = down;
    expect((await login()).status).toBe(503);
    const refreshed = await call(
      form({ grant_type: "refresh_token", refresh_token: first.body.refresh_token as string }),
    );
    expect(refreshed).toMatchObject({ status: 503, body: { error: "temporarily_unavailable" } });
  });
});

describe("createTokenEndpoint options", () => {
  it("rejects missing ports and bad limits at construction", () => {
    expect(() => createTokenEndpoint({ ...options, scopeValidator: undefined as never })).toThrow(TypeError);
    expect(() => createTokenEndpoint({ ...options, authenticateClient: undefined as never })).toThrow(TypeError);
    expect(() => createTokenEndpoint({ ...options, accessTokenTtlSeconds: 0 })).toThrow(TypeError);
    expect(() => createTokenEndpoint({ ...options, maxBodyBytes: -1 })).toThrow(TypeError);
  });
});
