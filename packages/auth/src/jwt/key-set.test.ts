import { describe, expect, it } from "vitest";
import { generateJwk, importKeySet, publicJwks, SUPPORTED_ALGORITHMS } from "./key-set";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

describe("key sets", () => {
  it.each(SUPPORTED_ALGORITHMS)("generates and imports - %s", async (alg) => {
    const jwk = await generateJwk(alg);
    expect(jwk).toMatchObject({ alg, use: "sig", kid: expect.any(String) });
    const keySet = await importKeySet({ keys: [jwk] });
    expect(keySet.current.kid).toBe(jwk.kid);
    expect(keySet.get(jwk.kid as string)?.alg).toBe(alg);
  });

  it("publishes public members only - never d, p, q, k", async () => {
    const keys = await Promise.all(SUPPORTED_ALGORITHMS.map((alg) => generateJwk(alg)));
    const published = publicJwks(await importKeySet({ keys }));
    expect(published.keys).toHaveLength(SUPPORTED_ALGORITHMS.length - 1); // HS256 is never published
    for (const jwk of published.keys) {
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
      expect(jwk.kid).toEqual(expect.any(String));
    }
  });

  it("picks the current key - by currentKid", async () => {
    const [a, b] = await Promise.all([generateJwk(), generateJwk()]);
    expect((await importKeySet({ keys: [a, b] }, { currentKid: b.kid as string })).current.kid).toBe(b.kid);
  });

  it("rejects key set - duplicate kid, missing alg, no signing key, empty", async () => {
    const jwk = await generateJwk();
    await expect(importKeySet({ keys: [jwk, jwk] })).rejects.toThrow(/Duplicate kid/);
    await expect(importKeySet({ keys: [{ ...jwk, alg: undefined }] })).rejects.toThrow(/alg/);
    const { d: _, ...publicOnly } = jwk;
    await expect(importKeySet({ keys: [publicOnly] })).rejects.toThrow(/signing key/);
    await expect(importKeySet({ keys: [] })).rejects.toThrow(/no keys/);
  });
});
