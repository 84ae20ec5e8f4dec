import { beforeAll, describe, expect, it } from "vitest";
import { RevocationList } from "../revocation-list";
import { createJwtIssuer, type JwtIssuer } from "./issuer";
import { generateJwk, importKeySet, type KeySet } from "./key-set";
import { createJwtVerifier } from "./verifier";

const NOW = Date.UTC(2030, 0, 1);
let clock = NOW;
const now = () => clock;
const ISSUER = "https://issuer.test";
let keySet: KeySet;
let issuer: JwtIssuer;

beforeAll(async () => {
  keySet = await importKeySet({ keys: [await generateJwk("ES256")] });
  issuer = createJwtIssuer({ keySet, issuer: ISSUER, now });
});

const verifierWith = (revocations: RevocationList, cache = true) =>
  createJwtVerifier({
    keySet,
    algorithms: ["ES256"],
    issuer: ISSUER,
    audience: null,
    now,
    revocations,
    ...(cache ? {} : { cache: false as const }),
  });

const revokedRefusal = { status: 401, code: "invalid_token", detail: "Token has been revoked" };

describe("createJwtVerifier with revocations", () => {
  it.each([true, false])("refuses a cached (%s) token - once its family is revoked", async (cache) => {
    const list = new RevocationList();
    const verifier = verifierWith(list, cache);
    const { access_token } = await issuer.createAccessToken({ sub: "u1", sid: "f1" });
    await expect(verifier.verify(access_token)).resolves.toMatchObject({ subject: "u1" });
    list.add({ kind: "family", subject: "f1", revokedAt: clock });
    await expect(verifier.verify(access_token)).rejects.toMatchObject(revokedRefusal);
  });

  it("refuses a client-credentials token - once its key is revoked, cache warm", async () => {
    const list = new RevocationList();
    const verifier = verifierWith(list);
    const { access_token } = await issuer.createAccessToken({ sub: "u1", kind: "api_key", key_id: "k1" });
    await verifier.verify(access_token);
    list.add({ kind: "key", subject: "k1", revokedAt: clock });
    await expect(verifier.verify(access_token)).rejects.toMatchObject(revokedRefusal);
  });

  it("refuses a user's older token - accepts one issued after the cut-off", async () => {
    const list = new RevocationList();
    const verifier = verifierWith(list);
    const old = (await issuer.createAccessToken({ sub: "u1" })).access_token;
    await verifier.verify(old);
    list.add({ kind: "user", subject: "u1", revokedAt: clock });
    clock += 1000;
    const fresh = (await issuer.createAccessToken({ sub: "u1" })).access_token;
    await expect(verifier.verify(old)).rejects.toMatchObject(revokedRefusal);
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ subject: "u1" });
  });

  it("accepts again - after a reload that no longer holds the revocation", async () => {
    const list = new RevocationList();
    const verifier = verifierWith(list);
    const { access_token } = await issuer.createAccessToken({ sub: "u1", sid: "f9" });
    list.add({ kind: "family", subject: "f9", revokedAt: clock });
    await expect(verifier.verify(access_token)).rejects.toMatchObject(revokedRefusal);
    list.replace([]);
    await expect(verifier.verify(access_token)).resolves.toMatchObject({ subject: "u1" });
  });

  it("refuses construction - revocations without isRevoked", () => {
    expect(() =>
      createJwtVerifier({ keySet, algorithms: ["ES256"], issuer: ISSUER, audience: null, revocations: {} as never }),
    ).toThrow(TypeError);
  });
});
