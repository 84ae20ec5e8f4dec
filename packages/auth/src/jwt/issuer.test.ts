import { decodeJwt, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createJwtIssuer } from "./issuer";
import { generateJwk, importKeySet, type KeySet } from "./key-set";

const NOW = Date.UTC(2030, 0, 1);
let keySet: KeySet;
beforeAll(async () => {
  keySet = await importKeySet({ keys: [await generateJwk("ES256")] });
});

describe("createJwtIssuer", () => {
  it("fills iat, iss, aud, exp, jti - and answers expires_in = exp - iat", async () => {
    const issuer = createJwtIssuer({ keySet, issuer: "https://i.test", audience: "api", now: () => NOW });
    const answer = await issuer.createAccessToken({ sub: "u1" });
    expect(answer).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(decodeJwt(answer.access_token)).toMatchObject({
      sub: "u1",
      iss: "https://i.test",
      aud: "api",
      iat: NOW / 1000,
      exp: NOW / 1000 + 900,
      jti: expect.any(String),
    });
    expect(decodeProtectedHeader(answer.access_token)).toEqual({
      alg: "ES256",
      kid: keySet.current.kid,
      typ: "at+jwt",
    });
  });

  it("fills iat_ms - the same instant as iat, to the millisecond, and a caller's own value does not win", async () => {
    const at = NOW + 737;
    const issuer = createJwtIssuer({ keySet, issuer: "https://i.test", now: () => at });
    const claims = decodeJwt((await issuer.createAccessToken({ sub: "u1", iat_ms: 1 })).access_token);
    expect(claims).toMatchObject({ iat: Math.floor(at / 1000), iat_ms: at });
  });

  it("keeps explicit claims - they win over defaults", async () => {
    const issuer = createJwtIssuer({ keySet, issuer: "https://i.test", now: () => NOW });
    const answer = await issuer.createAccessToken({
      sub: "u1",
      iat: 100,
      exp: 160,
      jti: "j1",
      iss: "https://other.test",
    });
    expect(answer.expires_in).toBe(60);
    expect(decodeJwt(answer.access_token)).toMatchObject({ iat: 100, exp: 160, jti: "j1", iss: "https://other.test" });
  });

  it("fills client_id - RFC 9068 §2.2, unless the caller names the client", async () => {
    const issuer = createJwtIssuer({ keySet, issuer: "https://i.test", clientId: "first-party", now: () => NOW });
    expect(decodeJwt((await issuer.createAccessToken({ sub: "u1" })).access_token).client_id).toBe("first-party");
    const own = await issuer.createAccessToken({ sub: "k1", client_id: "k1" });
    expect(decodeJwt(own.access_token).client_id).toBe("k1");
    const none = createJwtIssuer({ keySet, issuer: "https://i.test", now: () => NOW });
    expect(decodeJwt((await none.createAccessToken({ sub: "u1" })).access_token)).not.toHaveProperty("client_id");
  });

  it("uses expiresIn - per token", async () => {
    const issuer = createJwtIssuer({ keySet, issuer: "https://i.test", now: () => NOW });
    expect((await issuer.createAccessToken({ sub: "u1" }, { expiresIn: 30 })).expires_in).toBe(30);
  });

  it("caps exp at notAfter - a derived token never outlives its source credential", async () => {
    const issuer = createJwtIssuer({ keySet, issuer: "https://i.test", now: () => NOW });
    const capped = await issuer.createAccessToken({ sub: "u1" }, { notAfter: NOW / 1000 + 60 });
    expect(capped.expires_in).toBe(60);
    expect(decodeJwt(capped.access_token).exp).toBe(NOW / 1000 + 60);
    const later = await issuer.createAccessToken({ sub: "u1" }, { expiresIn: 30, notAfter: NOW / 1000 + 60 });
    expect(later.expires_in).toBe(30);
    await expect(issuer.createAccessToken({ sub: "u1" }, { notAfter: NOW / 1000 })).rejects.toThrow(/exp/);
  });

  it("rejects options - exp not after iat, bad lifetimes, no issuer", async () => {
    const issuer = createJwtIssuer({ keySet, issuer: "https://i.test", now: () => NOW });
    await expect(issuer.createAccessToken({ sub: "u1", exp: NOW / 1000 })).rejects.toThrow(/exp/);
    await expect(issuer.createAccessToken({ sub: "u1" }, { expiresIn: 0 })).rejects.toThrow(/expiresIn/);
    expect(() => createJwtIssuer({ keySet, issuer: "" })).toThrow(/issuer/);
    expect(() => createJwtIssuer({ keySet, issuer: "x", defaultExpiresIn: -1 })).toThrow(/defaultExpiresIn/);
  });

  it("signs with the new current key - after rotation through a getter", async () => {
    const next = await importKeySet({ keys: [await generateJwk()] });
    let current = keySet;
    const issuer = createJwtIssuer({ keySet: () => current, issuer: "https://i.test" });
    current = next;
    const { access_token } = await issuer.createAccessToken({ sub: "u1" });
    expect(decodeProtectedHeader(access_token).kid).toBe(next.current.kid);
  });
});
