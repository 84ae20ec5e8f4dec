import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "./proxy";
import { API_CONTENT_SECURITY_POLICY } from "./server/http/security-headers";
import { setupTestDatabase } from "./test/database";

// Page loads ask the database first (server/http/database-down-page.ts).
setupTestDatabase();

function get(path: string): Promise<Response> {
  return proxy(new NextRequest(`http://localhost:3000${path}`));
}

describe("proxy security headers", () => {
  it("gives each page a fresh nonce and forwards the same policy to Next.js - it puts the nonce on its scripts", async () => {
    const [first, second] = [await get("/login"), await get("/login")];
    const policies = [first, second].map((response) => response.headers.get("content-security-policy") ?? "");
    const nonces = policies.map((policy) => /'nonce-([^']+)'/.exec(policy)?.[1]);
    expect(nonces[0]).toBeTruthy();
    expect(nonces[0]).not.toBe(nonces[1]);
    // NextResponse.next({ request: { headers } }) forwards request headers as x-middleware-request-*.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policies[0]);
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers API paths with the API policy - tRPC, the token endpoint, health, discovery", async () => {
    for (const path of ["/api/trpc/auth.me", "/api/token", "/api/health", "/.well-known/jwks.json"]) {
      const response = await get(path);
      expect(response.headers.get("content-security-policy"), path).toBe(API_CONTENT_SECURITY_POLICY);
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("dresses its own 400 for an unreadable form post", async () => {
    const response = await proxy(
      new NextRequest("http://localhost:3000/login", {
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=x" },
        body: "not multipart",
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
  });
});

describe("proxy cross-site page posts", () => {
  const post = (origin: string | undefined) =>
    proxy(
      new NextRequest("http://localhost:3000/login", {
        method: "POST",
        headers: {
          host: "localhost:3000",
          "content-type": "application/x-www-form-urlencoded",
          ...(origin === undefined ? {} : { origin }),
        },
        body: "email=a%40b.c&password=x",
      }),
    );

  it("refuses a sign-in form posted from another site or Origin null - 403 problem, not Next's 500", async () => {
    for (const origin of ["https://evil.example", "null", "http://localhost:3001"]) {
      const response = await post(origin);
      expect(response.status, origin).toBe(403);
      expect(response.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    }
  });

  it("lets our own origin and an Origin-less script through to Next.js", async () => {
    for (const origin of ["http://localhost:3000", undefined]) {
      expect((await post(origin)).status, String(origin)).not.toBe(403);
    }
  });
});
