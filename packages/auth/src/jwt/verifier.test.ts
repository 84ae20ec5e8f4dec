import fc from "fast-check";
import { type CryptoKey, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Unauthorized } from "../errors";
import { createJwtIssuer, type JwtIssuer } from "./issuer";
import { generateJwk, importKeySet, type JwtAlgorithm, type KeySet, SUPPORTED_ALGORITHMS } from "./key-set";
import { createJwtVerifier, type JwtVerifierOptions } from "./verifier";

const NOW = Date.UTC(2030, 0, 1);
const now = () => NOW;
const ISSUER = "https://issuer.test";
let keySet: KeySet;
let issuer: JwtIssuer;

beforeAll(async () => {
  keySet = await importKeySet({ keys: [await generateJwk("ES256")] });
  issuer = createJwtIssuer({ keySet, issuer: ISSUER, audience: "api", now });
});
afterEach(() => vi.restoreAllMocks());

const options = (extra: Partial<JwtVerifierOptions> = {}): JwtVerifierOptions => ({
  keySet,
  algorithms: ["ES256"],
  issuer: ISSUER,
  audience: "api",
  now,
  ...extra,
});

describe("createJwtVerifier", () => {
  it.each(SUPPORTED_ALGORITHMS)("accepts token - issued by us with %s", async (alg: JwtAlgorithm) => {
    const ks = await importKeySet({ keys: [await generateJwk(alg)] });
    const token = (
      await createJwtIssuer({ keySet: ks, issuer: ISSUER, now }).createAccessToken({ sub: "u1", scope: "notes:read" })
    ).access_token;
    const principal = await createJwtVerifier({
      keySet: ks,
      algorithms: [alg],
      issuer: ISSUER,
      audience: null,
      now,
    }).verify(token);
    expect(principal).toMatchObject({ subject: "u1", kind: "user", scopes: ["notes:read"] });
    expect(principal.claims.iss).toBe(ISSUER);
  });

  it("accepts token - any of several audiences", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    await expect(createJwtVerifier(options({ audience: ["other", "api"] })).verify(access_token)).resolves.toBeTruthy();
  });

  it("rejects token - typ differs when typ is required", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    await expect(createJwtVerifier(options({ typ: "at+jwt" })).verify(access_token)).resolves.toBeTruthy();
    const refusal = createJwtVerifier(options({ typ: "dpop+jwt" })).verify(access_token);
    await expect(refusal).rejects.toMatchObject({
      status: 401,
      code: "invalid_token",
      detail: expect.stringMatching(/type/),
    });
  });

  it("rejects token - no typ header when typ is required (RFC 8725 §3.11: an ID token is not an access token)", async () => {
    const key = keySet.current;
    const untyped = await new SignJWT({ sub: "u1", iss: ISSUER, aud: "api", exp: NOW / 1000 + 60 })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .sign(key.signingKey as CryptoKey);
    await expect(createJwtVerifier(options()).verify(untyped)).resolves.toBeTruthy();
    await expect(createJwtVerifier(options({ typ: "at+jwt" })).verify(untyped)).rejects.toMatchObject({ status: 401 });
  });

  it("rejects token - missing a configured required claim", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    await expect(
      createJwtVerifier(options({ requiredClaims: ["sub", "tenant"] })).verify(access_token),
    ).rejects.toMatchObject({
      status: 401,
      code: "invalid_token",
      detail: expect.stringMatching(/missing required claim: tenant/),
    });
  });

  it("freezes the principal - a cached principal cannot be altered by one caller for the next", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1", scope: "notes:read", extra: { a: 1 } });
    const principal = await createJwtVerifier(options()).verify(access_token);
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal.scopes)).toBe(true);
    expect(Object.isFrozen(principal.claims.extra)).toBe(true);
  });

  it("rejects options - no algorithms, unsupported algorithm, no issuer, audience left out", () => {
    expect(() => createJwtVerifier(options({ algorithms: [] }))).toThrow(/algorithms/);
    expect(() => createJwtVerifier(options({ algorithms: ["none" as JwtAlgorithm] }))).toThrow(/unsupported/);
    expect(() => createJwtVerifier(options({ issuer: "" }))).toThrow(/issuer/);
    expect(() => createJwtVerifier(options({ audience: undefined as unknown as null }))).toThrow(/audience/);
  });
});

describe("verified-token cache", () => {
  const countSignatureChecks = () => vi.spyOn(keySet.current, "checkSignature");

  it("skips the signature check - second verify of the same token", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    const verifier = createJwtVerifier(options());
    const checks = countSignatureChecks();
    const first = await verifier.verify(access_token);
    expect(await verifier.verify(access_token)).toBe(first);
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it("checks every time - cache disabled", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    const verifier = createJwtVerifier(options({ cache: false }));
    const checks = countSignatureChecks();
    await verifier.verify(access_token);
    await verifier.verify(access_token);
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it("never caches a failure - a bad token is checked again and refused again", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    const bad = `${access_token.slice(0, -4)}AAAA`;
    const verifier = createJwtVerifier(options());
    const checks = countSignatureChecks();
    for (let i = 0; i < 2; i++) {
      const refusal = verifier.verify(bad);
      await expect(refusal).rejects.toBeInstanceOf(Unauthorized);
      await expect(refusal).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    }
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it("evicts the least recently used token - bounded size", async () => {
    const verifier = createJwtVerifier(options({ cache: { maxEntries: 1 } }));
    const [a, b] = await Promise.all([issuer.createAccessToken({ sub: "a" }), issuer.createAccessToken({ sub: "b" })]);
    const checks = countSignatureChecks();
    await verifier.verify(a.access_token);
    await verifier.verify(b.access_token);
    await verifier.verify(a.access_token);
    expect(checks).toHaveBeenCalledTimes(3);
  });

  it("keeps an entry no longer than exp - even with clock tolerance", async () => {
    let clock = NOW;
    const verifier = createJwtVerifier(options({ now: () => clock, clockTolerance: 30 }));
    const { access_token } = await issuer.createAccessToken({ sub: "u1" }, { expiresIn: 10 });
    await verifier.verify(access_token);
    clock += 10_000;
    const checks = countSignatureChecks();
    await verifier.verify(access_token); // past exp: not from the cache, but within tolerance
    expect(checks).toHaveBeenCalledTimes(1);
  });
});

describe("token parsing (property)", () => {
  // The original's bytes, segment by segment: a mutation in the unused low bits of a
  // segment's last base64url character decodes to the same bytes and may still verify.
  const bytesOf = (token: string) => token.split(".").map((part) => Buffer.from(part, "base64url").toString("hex"));

  it("refuses with 401 invalid_token - arbitrary strings and one-character mutations", async () => {
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    const verifier = createJwtVerifier(options({ cache: false }));
    await expect(verifier.verify(access_token)).resolves.toMatchObject({ subject: "u1" }); // the control
    const mutated = fc
      .tuple(fc.nat({ max: access_token.length - 1 }), fc.string({ minLength: 1, maxLength: 2 }))
      .map(([at, text]) => access_token.slice(0, at) + text + access_token.slice(at + 1));
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), mutated), async (token) => {
        const outcome = await verifier.verify(token).then(
          (principal) => ({ principal }),
          (error: unknown) => ({ error }),
        );
        if ("principal" in outcome) {
          // Accepted: only the same token in another spelling may be.
          expect(token.length).toBe(access_token.length);
          expect(bytesOf(token)).toEqual(bytesOf(access_token));
          expect(outcome.principal.subject).toBe("u1");
        } else {
          refused++;
          expect(outcome.error).toBeInstanceOf(Unauthorized);
          expect(outcome.error).toMatchObject({ status: 401, code: "invalid_token" });
        }
      }),
      { numRuns: 300 },
    );
    expect(refused).toBeGreaterThan(200);
  });
});
