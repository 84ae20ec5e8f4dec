/**
 * A real issuer on 127.0.0.1 (node:http, port 0): discovery, a JWKS that rotates during the
 * tests, and outages. The clock is pinned; only the timeout test waits (200 ms of real IO).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ServiceUnavailable, Unauthorized } from "../errors";
import { generateJwk } from "./key-set";
import { auth0, keycloak } from "./presets";
import { createRemoteJwksVerifier, type RemoteJwksVerifierOptions } from "./remote-jwks";
import { forge } from "./testing";

interface IssuerState {
  keys: JWK[];
  mode: "up" | "500" | "hang" | "garbage" | "redirect" | "endless";
  discoveryIssuer?: string;
  requests: string[];
}

let server: Server;
let base: string;
const state: IssuerState = { keys: [], mode: "up", requests: [] };
/** Of the endless body: bytes the server wrote, and whether the client hung up on it. */
const endless = { sent: 0, closed: false };
const TEN_MB = 10 * 1024 * 1024;
let k1: JWK;
let k2: JWK;

const publicOf = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest }: JWK): JWK => rest;

beforeAll(async () => {
  [k1, k2] = await Promise.all([generateJwk("RS256"), generateJwk("RS256")]);
  server = createServer((req, res) => {
    state.requests.push(req.url ?? "");
    if (state.mode === "hang") return; // never answers
    if (state.mode === "500") return void res.writeHead(500).end("down");
    if (state.mode === "garbage") return void res.writeHead(200, { "content-type": "application/json" }).end("<html>");
    // Where a redirect points: good documents, so following it would mean accepting the token.
    const moved = req.url?.startsWith("/moved") ? req.url.slice("/moved".length) : undefined;
    if (state.mode === "redirect" && moved === undefined) {
      return void res.writeHead(302, { location: `${base}/moved${req.url}` }).end();
    }
    if (state.mode === "endless") {
      // A chunked JSON body that never ends, written only as fast as the client reads it.
      Object.assign(endless, { sent: 0, closed: false });
      res.on("close", () => {
        endless.closed = true;
      });
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      res.write('{"keys":[');
      const pump = () => {
        while (!endless.closed && endless.sent < TEN_MB) {
          endless.sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
      };
      return pump();
    }
    const body =
      (moved ?? req.url) === "/.well-known/openid-configuration"
        ? { issuer: state.discoveryIssuer ?? base, jwks_uri: `${base}/jwks` }
        : req.url === "/realms/main/.well-known/openid-configuration"
          ? { issuer: `${base}/realms/main`, jwks_uri: `${base}/jwks` }
          : (moved ?? req.url) === "/jwks"
            ? { keys: state.keys.map(publicOf) }
            : null;
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let clock: number;
const T0 = Date.UTC(2030, 0, 1);
beforeEach(() => {
  clock = T0;
  Object.assign(state, { keys: [k1], mode: "up", discoveryIssuer: undefined, requests: [] });
});

const claims = () => ({ iss: base, aud: "api", sub: "svc", scope: "notes:read", exp: clock / 1000 + 600 });
const tokenFor = (key: JWK) => forge({ alg: "RS256", kid: key.kid }, claims(), { jwk: key });
const unknownKey = { status: 401, code: "invalid_token", detail: expect.stringMatching(/unknown key/) };
const verifierWith = (extra: Partial<RemoteJwksVerifierOptions> = {}) =>
  createRemoteJwksVerifier({ issuer: base, audience: "api", algorithms: ["RS256"], now: () => clock, ...extra });

describe("createRemoteJwksVerifier", () => {
  it("accepts token - keys found through discovery", async () => {
    const principal = await verifierWith().verify(tokenFor(k1));
    expect(principal).toMatchObject({ subject: "svc", scopes: ["notes:read"] });
    expect(state.requests).toEqual(["/.well-known/openid-configuration", "/jwks"]);
  });

  it("maps a foreign token by default - OIDC scopes ignored (not a 401), its kind claim never read", async () => {
    const token = forge(
      { alg: "RS256", kid: k1.kid },
      { ...claims(), scope: "openid profile email offline_access notes:read", kind: "api_key", key_id: "k" },
      { jwk: k1 },
    );
    expect(await verifierWith().verify(token)).toMatchObject({ subject: "svc", kind: "user", scopes: ["notes:read"] });
  });

  it("accepts token - explicit JWKS URL, no discovery", async () => {
    await verifierWith({ jwksUri: `${base}/jwks` }).verify(tokenFor(k1));
    expect(state.requests).toEqual(["/jwks"]);
  });

  it("fetches keys once - many tokens, concurrent first use", async () => {
    const verifier = verifierWith({ jwksUri: `${base}/jwks`, cache: false });
    await Promise.all([1, 2, 3].map(() => verifier.verify(tokenFor(k1))));
    await verifier.verify(tokenFor(k1));
    expect(state.requests).toEqual(["/jwks"]);
  });

  it("follows rotation - unknown kid refetches once the cooldown has passed", async () => {
    const verifier = verifierWith({ jwksUri: `${base}/jwks`, cooldownMs: 30_000 });
    await verifier.verify(tokenFor(k1));
    state.keys = [k1, k2];
    clock += 1_000;
    // Within the cooldown an unknown kid is refused without asking the issuer again.
    await expect(verifier.verify(tokenFor(k2))).rejects.toMatchObject(unknownKey);
    expect(state.requests).toHaveLength(1);
    clock += 30_000;
    await expect(verifier.verify(tokenFor(k2))).resolves.toBeTruthy();
    expect(state.requests).toHaveLength(2);
  });

  it("stops verifying - key removed by the issuer, cached token included, after maxAge", async () => {
    const verifier = verifierWith({ jwksUri: `${base}/jwks`, maxAgeMs: 60_000 });
    const token = tokenFor(k1);
    await verifier.verify(token); // cached now
    state.keys = [k2];
    clock += 61_000;
    // The cache hit itself does not fetch; a fresh token with another kid triggers the reload.
    await expect(verifier.verify(tokenFor(k2))).resolves.toBeTruthy();
    await expect(verifier.verify(token)).rejects.toMatchObject(unknownKey);
  });

  it("rejects token - issuer's discovery names another issuer (503)", async () => {
    state.discoveryIssuer = "https://evil.test";
    const refusal = verifierWith().verify(tokenFor(k1));
    await expect(refusal).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(refusal).rejects.toMatchObject({ status: 503, code: "issuer_unavailable" });
  });

  it.each(["500", "garbage"] as const)("answers 503 - issuer down before first use (%s)", async (mode) => {
    state.mode = mode;
    const error = await verifierWith()
      .verify(tokenFor(k1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error).toMatchObject({ status: 503, code: "issuer_unavailable" });
  });

  it.each([
    ["discovery", undefined],
    ["the JWKS", "jwks"],
  ])("answers 503 - %s redirects (to good keys), never followed", async (_, jwksPath) => {
    state.mode = "redirect";
    const jwksUri = jwksPath === undefined ? undefined : `${base}/${jwksPath}`;
    const error = await verifierWith(jwksUri === undefined ? {} : { jwksUri })
      .verify(tokenFor(k1))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, code: "issuer_unavailable" });
    expect((error as Error).cause).toMatchObject({ message: expect.stringMatching(/redirect/) });
    expect(state.requests.filter((url) => url.startsWith("/moved"))).toEqual([]);
  });

  it("answers 503 - a JWKS body past the byte cap is cut off while streaming, never read whole", async () => {
    state.mode = "endless";
    const error = await verifierWith({ jwksUri: `${base}/jwks`, timeoutMs: 60_000 })
      .verify(tokenFor(k1))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, code: "issuer_unavailable" });
    expect((error as Error).cause).toMatchObject({ message: expect.stringMatching(/over 524288 bytes/) });
    await expect.poll(() => endless.closed).toBe(true);
    expect(endless.sent).toBeLessThan(TEN_MB);
  });

  it("answers 503 - issuer hangs past the timeout", async () => {
    state.mode = "hang";
    const error = await verifierWith({ timeoutMs: 200 })
      .verify(tokenFor(k1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error).toMatchObject({ status: 503, code: "issuer_unavailable" });
  });

  it("keeps known keys - issuer down later; unknown kid is then 503, not 401", async () => {
    const verifier = verifierWith({ jwksUri: `${base}/jwks`, maxAgeMs: 60_000, cache: false });
    await verifier.verify(tokenFor(k1));
    state.mode = "500";
    clock += 61_000;
    await expect(verifier.verify(tokenFor(k1))).resolves.toBeTruthy();
    clock += 31_000;
    const refusal = verifier.verify(tokenFor(k2));
    await expect(refusal).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(refusal).rejects.toMatchObject({ status: 503, code: "issuer_unavailable" });
    state.mode = "up";
    state.keys = [k1, k2];
    clock += 31_000;
    await expect(verifier.verify(tokenFor(k2))).resolves.toBeTruthy();
  });

  it("rejects token - HS256 signed with the issuer's public key", async () => {
    const verifier = verifierWith();
    const token = forge({ alg: "HS256", kid: k1.kid }, claims(), { secret: JSON.stringify(publicOf(k1)) });
    const refusal = verifier.verify(token);
    await expect(refusal).rejects.toBeInstanceOf(Unauthorized);
    await expect(refusal).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    expect(state.requests).toEqual([]); // refused before any key lookup
  });

  it("rejects options - HS256, plain http to a non-loopback host", () => {
    expect(() => verifierWith({ algorithms: ["HS256" as "RS256"] })).toThrow(/unsupported/);
    expect(() =>
      createRemoteJwksVerifier({ issuer: "http://issuer.example", audience: null, algorithms: ["RS256"] }),
    ).toThrow(/https/);
  });
});

describe("auth0 preset", () => {
  it("accepts token - issuer https://{domain}/, scopes from scope and permissions", async () => {
    const fetched: string[] = [];
    const fetchViaLocalIssuer: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return fetch(`${base}/jwks`, init);
    };
    const verifier = auth0({
      domain: "acme.eu.auth0.com",
      audience: "https://api.acme.test",
      fetch: fetchViaLocalIssuer,
      now: () => clock,
    });
    const token = forge(
      { alg: "RS256", kid: k1.kid, typ: "JWT" },
      {
        iss: "https://acme.eu.auth0.com/",
        aud: ["https://api.acme.test", "https://acme.eu.auth0.com/userinfo"],
        sub: "abc@clients",
        gty: "client-credentials",
        scope: "openid notes:read",
        permissions: ["notes:write"],
        exp: clock / 1000 + 600,
      },
      { jwk: k1 },
    );
    const principal = await verifier.verify(token);
    expect(principal).toMatchObject({ subject: "abc@clients", kind: "service", scopes: ["notes:read", "notes:write"] });
    expect(fetched).toEqual(["https://acme.eu.auth0.com/.well-known/jwks.json"]);
  });

  it("rejects options - domain with a scheme", () => {
    expect(() => auth0({ domain: "https://acme.auth0.com", audience: "x" })).toThrow(/domain/);
  });
});

describe("keycloak preset", () => {
  it("accepts token - realm issuer through discovery, OIDC scopes dropped", async () => {
    const verifier = keycloak({ url: base, realm: "main", audience: "api", now: () => clock });
    const token = forge(
      { alg: "RS256", kid: k1.kid },
      { ...claims(), iss: `${base}/realms/main`, scope: "openid email notes:read" },
      { jwk: k1 },
    );
    expect((await verifier.verify(token)).scopes).toEqual(["notes:read"]);
    expect(state.requests).toEqual(["/realms/main/.well-known/openid-configuration", "/jwks"]);
  });
});
