/**
 * The published key set (RFC 7517 §5) from a private one holding an asymmetric current key,
 * an older RSA key and a symmetric key: public members only, one entry per `kid`, and the
 * published key verifies the tokens we sign.
 */

import type { JsonWebKey } from "node:crypto";
import { createPublicKey, verify } from "node:crypto";
import { generateJwk } from "@gatehouse/auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getAuth } from "~/server/auth";
import { setupTestDatabase } from "~/test/database";
import { GET } from "./route";

setupTestDatabase();

// Members that are private (RFC 7518 §6.2.2, §6.3.2) or a symmetric secret (§6.4.1).
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

let privateKeys: Array<Record<string, unknown>>;
beforeAll(async () => {
  privateKeys = [await generateJwk("ES256"), await generateJwk("RS256"), await generateJwk("HS256")];
  // Read when the app's auth services are first built, which no test in this file has done yet.
  vi.stubEnv("AUTH_JWKS", JSON.stringify({ keys: privateKeys }));
});
afterAll(() => vi.unstubAllEnvs());

async function jwks() {
  const response = await GET();
  expect(response.status).toBe(200);
  return { response, keys: (await response.json()).keys as Array<Record<string, string>> };
}

describe("GET /.well-known/jwks.json", () => {
  it("publishes every asymmetric key and no symmetric one", async () => {
    const { keys } = await jwks();
    expect(keys.map((key) => key.kid)).toEqual(privateKeys.slice(0, 2).map((key) => key.kid));
    expect(keys.map((key) => key.kty)).toEqual(["EC", "RSA"]);
  });

  it("publishes public members only - no d, p, q, dp, dq, qi, oth, k", async () => {
    for (const key of (await jwks()).keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key).toMatchObject({ use: "sig", alg: expect.any(String), kid: expect.any(String) });
    }
  });

  it("gives every key a unique kid", async () => {
    const kids = (await jwks()).keys.map((key) => key.kid);
    expect(new Set(kids).size).toBe(kids.length);
  });

  it("verifies our tokens - the key their kid names checks their signature", async () => {
    const { access_token } = await (await getAuth()).issuer.createAccessToken({ sub: "u1", kind: "user" });
    const [header = "", payload = "", signature = ""] = access_token.split(".");
    const { kid, alg } = JSON.parse(Buffer.from(header, "base64url").toString());
    const published = (await jwks()).keys.find((key) => key.kid === kid);
    expect(published?.alg).toBe(alg);
    const key = createPublicKey({ key: published as JsonWebKey, format: "jwk" });
    const ok = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      { key, dsaEncoding: "ieee-p1363" },
      Buffer.from(signature, "base64url"),
    );
    expect(ok).toBe(true);
  });

  it("may be cached for five minutes - public, max-age=300", async () => {
    expect((await jwks()).response.headers.get("cache-control")).toBe("public, max-age=300");
  });
});
