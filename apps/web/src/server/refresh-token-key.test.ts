import { generateJwk } from "@gatehouse/auth/jwt";
import { describe, expect, it } from "vitest";
import { deriveRefreshTokenKey } from "./refresh-token-key";

describe("deriveRefreshTokenKey", () => {
  it("derives 32 bytes from the signing key, the same on every instance, other than the key itself", async () => {
    const signing = await generateJwk("ES256");
    const key = deriveRefreshTokenKey({ keys: [signing] });
    expect(key.byteLength).toBe(32);
    // Another process with the same AUTH_JWKS (a parsed copy) computes the same successors.
    expect(deriveRefreshTokenKey(JSON.parse(JSON.stringify({ keys: [signing] })))).toEqual(key);
    expect(Buffer.from(key).toString("base64url")).not.toBe(signing.d);
    expect(deriveRefreshTokenKey({ keys: [await generateJwk("ES256")] })).not.toEqual(key);
  });

  it("uses the key that signs: the first with a private part, as the key set does", async () => {
    const signing = await generateJwk("EdDSA");
    const { d: _, ...publicOnly } = await generateJwk("ES256");
    expect(deriveRefreshTokenKey({ keys: [publicOnly, signing] })).toEqual(deriveRefreshTokenKey({ keys: [signing] }));
    const hs = await generateJwk("HS256");
    expect(deriveRefreshTokenKey({ keys: [hs] }).byteLength).toBe(32);
  });

  it("refuses a key set with no private key - nothing to derive from", async () => {
    const { d: _, ...publicOnly } = await generateJwk("ES256");
    expect(() => deriveRefreshTokenKey({ keys: [publicOnly] })).toThrow(/no private key/);
  });
});
