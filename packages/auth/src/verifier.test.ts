import { describe, expect, it } from "vitest";
import { ServiceUnavailable, Unauthorized } from "./errors";
import type { Principal } from "./principal";
import { apiKeyHeader, bearer, cookie } from "./scheme";
import { createAuthenticator, type Verifier } from "./verifier";

const principal = (subject: string): Principal => ({ subject, kind: "user", scopes: [], claims: {} });
const accepting = (expected: string, subject: string): Verifier => ({
  async verify(credential) {
    if (credential !== expected) throw new Unauthorized("Invalid credential");
    return principal(subject);
  },
});

const authenticator = createAuthenticator([
  { scheme: bearer(), verifier: accepting("jwt", "from-bearer") },
  { scheme: apiKeyHeader(), verifier: accepting("key", "from-key") },
  { scheme: cookie("session"), verifier: accepting("sess", "from-cookie") },
]);

describe("createAuthenticator", () => {
  it("returns null - no credential anywhere", async () => {
    expect(await authenticator.authenticate(new Headers())).toBeNull();
  });

  it("takes the first scheme that finds a credential", async () => {
    const headers = new Headers({ authorization: "Bearer jwt", "x-api-key": "key" });
    expect((await authenticator.authenticate(headers))?.subject).toBe("from-bearer");
    expect(
      (await authenticator.authenticate(new Request("http://x", { headers: { cookie: "session=sess" } })))?.subject,
    ).toBe("from-cookie");
  });

  it("rejects request - present but invalid credential never falls through", async () => {
    const headers = new Headers({ authorization: "Bearer wrong", "x-api-key": "key" });
    const error = await authenticator.authenticate(headers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unauthorized);
    expect(error).toMatchObject({ status: 401, code: "invalid_token" });
    expect((error as Unauthorized).headers["www-authenticate"]).toMatch(
      /^Bearer realm="gatehouse", error="invalid_token"/,
    );
  });

  it("rejects request - malformed bearer header, with invalid_request", async () => {
    const error = (await authenticator
      .authenticate(new Headers({ authorization: "Bearer a b" }))
      .catch((e) => e)) as Unauthorized;
    expect(error).toBeInstanceOf(Unauthorized);
    expect(error).toMatchObject({ status: 401, code: "invalid_request" });
    expect(error.headers["www-authenticate"]).toContain('error="invalid_request"');
  });

  it("passes 503 through - issuer unavailable is not a 401", async () => {
    const down = createAuthenticator([
      { scheme: bearer(), verifier: { verify: () => Promise.reject(new ServiceUnavailable()) } },
    ]);
    const refusal = down.authenticate(new Headers({ authorization: "Bearer t" }));
    await expect(refusal).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(refusal).rejects.toMatchObject({ status: 503, code: "service_unavailable" });
  });

  it("refuses - a verifier that crashes never makes the caller anonymous", async () => {
    const buggy = createAuthenticator([
      { scheme: bearer(), verifier: { verify: () => Promise.reject(new Error("bug")) } },
    ]);
    const refusal = buggy.authenticate(new Headers({ authorization: "Bearer t" }));
    await expect(refusal).rejects.toBeInstanceOf(Unauthorized);
    await expect(refusal).rejects.toMatchObject({ status: 401, code: "invalid_token" });
  });

  it("builds the required() challenge - every scheme, no error code", () => {
    const error = authenticator.required();
    expect(error.headers["www-authenticate"]).toBe(
      'Bearer realm="gatehouse", ApiKey realm="gatehouse", header="X-API-Key"',
    );
  });
});
