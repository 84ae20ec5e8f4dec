/**
 * Our access tokens as another resource server would read them (RFC 9068): `typ: at+jwt`,
 * `aud` = AUTH_AUDIENCE, `client_id`. And our verifier takes only those: a token signed with
 * our own key but for another audience, or without the access-token type (an ID-token-shaped
 * JWT, RFC 8725 §3.11), is a 401 over HTTP.
 */
import { describe, expect, it } from "vitest";
import { env } from "~/env";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { getAuth } from "./auth";
import { FIRST_PARTY_CLIENT_ID } from "./first-party-client";
import { sessionCookieName } from "./session-cookies";

setupTestDatabase();

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? "", "base64url").toString());

/** A JWT signed with our current (ES256) key, with the header and claims the attacker chose. */
async function signedWithOurKey(header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const { keySet } = await getAuth();
  const key = keySet.current;
  expect(key.alg).toBe("ES256"); // the development key (server/keys.ts)
  const input = `${b64url({ alg: key.alg, kid: key.kid, ...header })}.${b64url(claims)}`;
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    key.signingKey as CryptoKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

const me = (token: string) => createTRPCRequest("auth.me", { authorization: `Bearer ${token}` });

function claimsNow(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: env().issuer, sub: "u1", kind: "user", iat: now, exp: now + 300, ...extra };
}

describe("our access tokens", () => {
  it("carry typ at+jwt, aud and client_id - RFC 9068 §2.1, §2.2", async () => {
    const { access_token } = await (await getAuth()).issuer.createAccessToken({ sub: "u1", kind: "user" });
    const [header, payload] = access_token.split(".");
    expect(decode(header).typ).toBe("at+jwt");
    expect(decode(payload)).toMatchObject({ aud: env().audience, client_id: FIRST_PARTY_CLIENT_ID });
    expect(env().audience).toBe("http://localhost:3000/api"); // the documented default
    expect((await me(access_token)).status).toBe(200);
  });

  it("accepts a correctly typed token for our audience - the forgeries below differ only in one field", async () => {
    const token = await signedWithOurKey({ typ: "at+jwt" }, claimsNow({ aud: env().audience }));
    expect((await me(token)).status).toBe(200);
  });

  it("refuses - our key, no audience (a token issued before AUTH_AUDIENCE, or for nobody)", async () => {
    expect((await me(await signedWithOurKey({ typ: "at+jwt" }, claimsNow()))).status).toBe(401);
  });

  it("refuses - our key, another audience", async () => {
    const token = await signedWithOurKey({ typ: "at+jwt" }, claimsNow({ aud: "https://other.example/api" }));
    expect((await me(token)).status).toBe(401);
  });

  it("refuses - our key and audience, but typ JWT or none (not an access token)", async () => {
    for (const header of [{ typ: "JWT" }, {}]) {
      const token = await signedWithOurKey(header, claimsNow({ aud: env().audience }));
      const response = await me(token);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  });

  it("refuses - the same forgery as the session cookie (signed out)", async () => {
    const token = await signedWithOurKey({ typ: "JWT" }, claimsNow({ aud: env().audience }));
    const good = await signedWithOurKey({ typ: "at+jwt" }, claimsNow({ aud: env().audience }));
    expect((await createTRPCRequest("auth.me", { cookie: `${sessionCookieName()}=${good}` })).status).toBe(200);
    expect((await createTRPCRequest("auth.me", { cookie: `${sessionCookieName()}=${token}` })).status).toBe(401);
  });
});
