import { generateKeyPairSync } from "node:crypto";
import { importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { generateJwk } from "../jwt/key-set";
import { forge } from "../jwt/testing";
import { createSignatureCheck } from "./signature-check";

async function checkFor(jwk: JWK, alg = jwk.alg as string) {
  const { d: _, ...publicJwk } = jwk;
  return createSignatureCheck(alg, (await importJWK(publicJwk, alg)) as CryptoKey);
}

const split = (token: string) => {
  const dot = token.lastIndexOf(".");
  return [Buffer.from(token.slice(0, dot)), Buffer.from(token.slice(dot + 1), "base64url")] as const;
};

describe("createSignatureCheck", () => {
  it.each(["ES256", "EdDSA", "RS256", "PS256"] as const)(
    "verifies %s - and refuses another key's signature",
    async (alg) => {
      const [jwk, other] = await Promise.all([generateJwk(alg), generateJwk(alg)]);
      const check = await checkFor(jwk);
      expect(check(...split(forge({ alg }, { sub: "a" }, { jwk })))).toBe(true);
      expect(check(...split(forge({ alg }, { sub: "a" }, { jwk: other })))).toBe(false);
    },
  );

  it("refuses signature - wrong length (a failed check, not a throw)", async () => {
    const check = await checkFor(await generateJwk("ES256"));
    const [input] = split(forge({ alg: "ES256" }, {}, { jwk: await generateJwk("ES256") }));
    expect(check(input, Buffer.alloc(3))).toBe(false);
    expect(check(input, Buffer.alloc(0))).toBe(false);
  });

  it("rejects key - RSA under 2048 bits, as jose does", async () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const jwk = { ...publicKey.export({ format: "jwk" }), alg: "RS256" } as JWK;
    await expect(checkFor(jwk)).rejects.toThrow(/2048/);
  });

  it("rejects key - one made for another algorithm", async () => {
    const jwk = await generateJwk("EdDSA");
    const { d: _, ...publicJwk } = jwk;
    const key = (await importJWK(publicJwk, "EdDSA")) as CryptoKey;
    expect(() => createSignatureCheck("ES256", key)).toThrow(TypeError);
  });
});
