/**
 * Known JWT attacks, each a real token built here with node:crypto. Every one is a 401
 * whose answer does not repeat the token.
 */
import { createPublicKey } from "node:crypto";
import type { JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { Unauthorized } from "../errors";
import type { Verifier } from "../verifier";
import { createJwtIssuer } from "./issuer";
import { generateJwk, importKeySet, type KeySet } from "./key-set";
import { b64url, forge, signingInput } from "./testing";
import { createJwtVerifier } from "./verifier";

const NOW = Date.UTC(2030, 0, 1);
const now = () => NOW;
const iat = NOW / 1000;
const ISSUER = "https://issuer.test";
const claims = { iss: ISSUER, aud: "api", sub: "alice", iat, exp: iat + 600 };

let esJwk: JWK;
let rsJwk: JWK;
let attackerJwk: JWK;
let keySet: KeySet;
let verifier: Verifier;
let header: { alg: string; kid: string };

beforeAll(async () => {
  [esJwk, rsJwk, attackerJwk] = await Promise.all([generateJwk("ES256"), generateJwk("RS256"), generateJwk("ES256")]);
  keySet = await importKeySet({ keys: [esJwk, rsJwk] });
  verifier = createJwtVerifier({ keySet, algorithms: ["ES256"], issuer: ISSUER, audience: "api", now, cache: false });
  header = { alg: "ES256", kid: esJwk.kid as string };
});

async function expectRefused(token: string, detail: RegExp, on: Verifier = verifier) {
  const error = await on.verify(token).then(
    () => expect.fail("token was accepted"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Unauthorized);
  const refused = error as Unauthorized;
  // Callers switch on status and code, never on the wording.
  expect(refused).toMatchObject({ status: 401, code: "invalid_token" });
  expect(refused.toProblem()).toMatchObject({ status: 401, code: "invalid_token" });
  expect(refused.detail).toMatch(detail);
  // Nothing of the token comes back in the body or the headers.
  const answer = JSON.stringify(refused.toProblem()) + JSON.stringify(refused.headers);
  for (const part of token.split(".")) if (part.length > 8) expect(answer).not.toContain(part);
}

describe("attack suite", () => {
  it("accepts token - the honest control", async () => {
    const principal = await verifier.verify(forge(header, claims, { jwk: esJwk }));
    expect(principal.subject).toBe("alice");
  });

  it.each(["none", "None", "NONE", "nOnE"])("rejects token - alg %s", async (alg) => {
    const input = signingInput({ alg, kid: header.kid }, claims);
    await expectRefused(`${input}.`, /no signature|not signed/);
    await expectRefused(`${input}.${b64url("x")}`, /not signed/);
  });

  it("rejects token - HS256 signed with the public key (key confusion)", async () => {
    const publicJwk = JSON.stringify(keySet.get(header.kid)?.publicJwk);
    const pem = createPublicKey({ key: esJwk as import("node:crypto").JsonWebKey, format: "jwk" })
      .export({ type: "spki", format: "pem" })
      .toString();
    const lenient = createJwtVerifier({ keySet, algorithms: ["ES256", "HS256"], issuer: ISSUER, audience: "api", now });
    for (const secret of [publicJwk, pem]) {
      const token = forge({ alg: "HS256", kid: header.kid }, claims, { secret });
      await expectRefused(token, /algorithm is not allowed/);
      // Even a verifier that allows HS256 never uses an ES256 key as an HMAC secret.
      await expectRefused(token, /does not match its key/, lenient);
    }
  });

  it("rejects token - algorithm outside the allow-list", async () => {
    const token = forge({ alg: "RS256", kid: rsJwk.kid }, claims, { jwk: rsJwk });
    await expectRefused(token, /algorithm is not allowed/);
  });

  it("rejects token - tampered payload", async () => {
    const [h, , s] = forge(header, claims, { jwk: esJwk }).split(".");
    await expectRefused(`${h}.${b64url(JSON.stringify({ ...claims, sub: "admin" }))}.${s}`, /signature is invalid/);
  });

  it("rejects token - stripped signature", async () => {
    const [h, p] = forge(header, claims, { jwk: esJwk }).split(".");
    await expectRefused(`${h}.${p}.`, /no signature/);
    await expectRefused(`${h}.${p}`, /not a signed JWT/);
  });

  it("rejects token - exp in the past beyond tolerance", async () => {
    await expectRefused(forge(header, { ...claims, exp: iat - 6 }, { jwk: esJwk }), /expired/);
    // Within the 5 s tolerance it still passes.
    await expect(verifier.verify(forge(header, { ...claims, exp: iat - 4 }, { jwk: esJwk }))).resolves.toBeTruthy();
  });

  it("rejects token - nbf in the future", async () => {
    await expectRefused(forge(header, { ...claims, nbf: iat + 60 }, { jwk: esJwk }), /not yet valid/);
  });

  it("rejects token - missing exp", async () => {
    const { exp: _, ...noExp } = claims;
    await expectRefused(forge(header, noExp, { jwk: esJwk }), /missing required claim: exp/);
  });

  it("rejects token - exp not a number", async () => {
    await expectRefused(forge(header, { ...claims, exp: String(iat + 600) }, { jwk: esJwk }), /exp/);
  });

  it("rejects token - wrong iss", async () => {
    await expectRefused(forge(header, { ...claims, iss: "https://evil.test" }, { jwk: esJwk }), /issuer/);
  });

  it("rejects token - wrong aud", async () => {
    await expectRefused(forge(header, { ...claims, aud: "other-api" }, { jwk: esJwk }), /audience/);
  });

  it("rejects token - unknown crit header", async () => {
    await expectRefused(forge({ ...header, crit: ["exp-v2"], "exp-v2": 1 }, claims, { jwk: esJwk }), /critical/);
  });

  it.each(["jku", "x5u", "x5c", "jwk"])("rejects token - %s header pointing at the attacker's key", async (name) => {
    const attackerPublic = { kty: attackerJwk.kty, crv: attackerJwk.crv, x: attackerJwk.x, y: attackerJwk.y };
    const value =
      name === "jwk" ? attackerPublic : name === "x5c" ? ["MIIBattacker"] : "https://evil.test/.well-known/jwks.json";
    for (const kid of [header.kid, attackerJwk.kid]) {
      await expectRefused(forge({ alg: "ES256", kid, [name]: value }, claims, { jwk: attackerJwk }), /must not carry/);
    }
  });

  it("rejects token - unknown kid", async () => {
    await expectRefused(forge({ alg: "ES256", kid: attackerJwk.kid }, claims, { jwk: attackerJwk }), /unknown key/);
  });

  it("rejects token - kid of a real key, signed by the attacker", async () => {
    await expectRefused(forge(header, claims, { jwk: attackerJwk }), /signature is invalid/);
  });

  it("rejects token - missing kid", async () => {
    await expectRefused(forge({ alg: "ES256" }, claims, { jwk: esJwk }), /no kid/);
  });

  it("rejects token - 100 KB and more, before parsing", async () => {
    const huge = forge(header, { ...claims, pad: "a".repeat(100 * 1024) }, { jwk: esJwk });
    await expectRefused(huge, /too long/);
    await expectRefused("x".repeat(1_000_000), /too long/);
  });

  it("rejects token - non-JSON payload", async () => {
    const input = `${b64url(JSON.stringify(header))}.${b64url("not json")}`;
    const [, , signature] = forge(header, "not json", { jwk: esJwk }).split(".");
    await expectRefused(`${input}.${signature}`, /payload is not a JSON object/);
    await expectRefused(forge(header, "[1,2]", { jwk: esJwk }), /payload is not a JSON object/);
  });

  it("rejects token - non-JSON header", async () => {
    await expectRefused(
      `${b64url("{alg:ES256}")}.${b64url(JSON.stringify(claims))}.${b64url("sig")}`,
      /header is not JSON/,
    );
  });

  it("rejects token - duplicate names in the payload", async () => {
    const body = JSON.stringify(claims).replace(/^\{/, '{"sub":"admin",');
    await expectRefused(forge(header, body, { jwk: esJwk }), /payload has duplicate names/);
    const escaped = JSON.stringify(claims).replace(/^\{/, '{"\\u0073ub":"admin",');
    await expectRefused(forge(header, escaped, { jwk: esJwk }), /payload has duplicate names/);
  });

  it("rejects token - duplicate names in the header", async () => {
    const raw = `{"alg":"HS256","kid":${JSON.stringify(header.kid)},"alg":"ES256"}`;
    await expectRefused(forge(raw, claims, { jwk: esJwk }), /header has duplicate names/);
  });

  it("rejects token - malformed scope claim, with a clear detail", async () => {
    for (const scope of ["notes:read  notes:write", "notes", "a:b:c", " notes:read", ""]) {
      if (scope === "") continue;
      await expectRefused(forge(header, { ...claims, scope }, { jwk: esJwk }), /scope claim is malformed/);
    }
    await expectRefused(
      forge(header, { ...claims, scp: ["notes:read", 7] }, { jwk: esJwk }),
      /scope claim is malformed/,
    );
  });

  it("rejects token - subject not a string", async () => {
    await expectRefused(forge(header, { ...claims, sub: 42 }, { jwk: esJwk }), /subject/);
  });

  it("stops verifying - token signed with a key removed from the set (cached or not)", async () => {
    const [oldJwk, newJwk] = await Promise.all([generateJwk("ES256"), generateJwk("ES256")]);
    let current = await importKeySet({ keys: [oldJwk, newJwk] });
    const rotating = createJwtVerifier({
      keySet: () => current,
      algorithms: ["ES256"],
      issuer: ISSUER,
      audience: "api",
      now,
    });
    const token = forge({ alg: "ES256", kid: oldJwk.kid }, claims, { jwk: oldJwk });
    await expect(rotating.verify(token)).resolves.toBeTruthy(); // now cached
    current = await importKeySet({ keys: [newJwk] });
    await expectRefused(token, /unknown key/, rotating);
  });

  it("stops verifying - cached token once expired (pinned clock)", async () => {
    let clock = NOW;
    const cached = createJwtVerifier({
      keySet,
      algorithms: ["ES256"],
      issuer: ISSUER,
      audience: "api",
      now: () => clock,
      clockTolerance: 0,
    });
    const { access_token } = await createJwtIssuer({
      keySet,
      issuer: ISSUER,
      audience: "api",
      now: () => clock,
    }).createAccessToken({ sub: "alice" }, { expiresIn: 60 });
    await expect(cached.verify(access_token)).resolves.toBeTruthy();
    clock += 59_000;
    await expect(cached.verify(access_token)).resolves.toBeTruthy();
    clock += 1_000;
    await expectRefused(access_token, /expired/, cached);
  });
});
