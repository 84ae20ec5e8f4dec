import { describe, expect, it } from "vitest";
import { API_CONTENT_SECURITY_POLICY, newNonce, pageContentSecurityPolicy, securityHeaders } from "./security-headers";

/** `script-src` (or any directive) of a policy, as a list of its sources. */
function directive(policy: string, name: string): string[] | undefined {
  const found = policy
    .split(";")
    .map((part) => part.trim().split(/\s+/))
    .find(([key]) => key === name);
  return found?.slice(1);
}

describe("pageContentSecurityPolicy", () => {
  it("runs only nonce'd scripts in a build - no unsafe-inline, no unsafe-eval", () => {
    const policy = pageContentSecurityPolicy("bm9uY2U=", false);
    expect(directive(policy, "script-src")).toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'"]);
    expect(directive(policy, "style-src")).toEqual(["'self'", "'nonce-bm9uY2U='"]);
    expect(policy).not.toMatch(/unsafe-/);
    expect(directive(policy, "frame-ancestors")).toEqual(["'none'"]);
    expect(directive(policy, "object-src")).toEqual(["'none'"]);
    expect(directive(policy, "base-uri")).toEqual(["'none'"]);
  });

  it("adds unsafe-eval for React Refresh in next dev only - scripts stay nonce-only", () => {
    const policy = pageContentSecurityPolicy("bm9uY2U=", true);
    expect(directive(policy, "script-src")).toEqual([
      "'self'",
      "'nonce-bm9uY2U='",
      "'strict-dynamic'",
      "'unsafe-eval'",
    ]);
    expect(directive(policy, "script-src")).not.toContain("'unsafe-inline'");
  });

  it("refuses a nonce that could end the directive - `; script-src *`", () => {
    expect(() => pageContentSecurityPolicy("x; script-src *", false)).toThrow(TypeError);
    expect(() => pageContentSecurityPolicy("", false)).toThrow(TypeError);
  });
});

describe("newNonce", () => {
  it("differs on every call and carries 128 bits", () => {
    const nonces = new Set(Array.from({ length: 1000 }, newNonce));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("securityHeaders", () => {
  it("dresses a page - its nonce in the CSP, nosniff, no framing, a referrer policy", () => {
    const headers = securityHeaders({ nonce: "bm9uY2U=", development: false, production: true });
    expect(headers["content-security-policy"]).toBe(pageContentSecurityPolicy("bm9uY2U=", false));
    expect(headers).toMatchObject({
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "same-origin",
      "strict-transport-security": "max-age=31536000; includeSubDomains",
    });
  });

  it("allows nothing on an API answer - default-src 'none'", () => {
    const headers = securityHeaders({ development: false, production: true });
    expect(headers["content-security-policy"]).toBe(API_CONTENT_SECURITY_POLICY);
    expect(directive(API_CONTENT_SECURITY_POLICY, "default-src")).toEqual(["'none'"]);
    expect(directive(API_CONTENT_SECURITY_POLICY, "frame-ancestors")).toEqual(["'none'"]);
  });

  it("sends no HSTS outside production - next dev is plain http", () => {
    expect(securityHeaders({ nonce: "bm9uY2U=", development: true, production: false })).not.toHaveProperty(
      "strict-transport-security",
    );
  });
});
