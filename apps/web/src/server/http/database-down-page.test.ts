/**
 * A full page load while the database cannot be reached is a 503 page a person can read
 * (through the real proxy), not a framework error; API calls and client-side navigations
 * are left to their own 503 answers. The browser-level check is e2e/database-down.spec.ts.
 */
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { proxy } from "~/proxy";
import { setupTestDatabase } from "~/test/database";
import { DATABASE_DOWN_MESSAGE } from "./database-down-page";

const database = setupTestDatabase();
type GlobalDb = { gatehouseDb?: Promise<unknown> };

function databaseRefuses() {
  const failed = Promise.reject(
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
  );
  failed.catch(() => {});
  (globalThis as GlobalDb).gatehouseDb = failed;
}

afterEach(() => {
  (globalThis as GlobalDb).gatehouseDb = Promise.resolve(database.current);
});

describe("with the database down", () => {
  it("a page load answers 503 with Retry-After and a readable message, under the page CSP", async () => {
    databaseRefuses();
    for (const path of ["/", "/login", "/notes", "/no-such-page"]) {
      const response = await proxy(
        new NextRequest(`http://localhost:3000${path}`, { headers: { accept: "text/html" } }),
      );
      expect(response.status, path).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain(DATABASE_DOWN_MESSAGE);
      expect(html).toContain(response.headers.get("x-request-id"));
      // Its one style block carries the nonce the page's CSP allows.
      const nonce = /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
      expect(html).toContain(`<style nonce="${nonce}">`);
    }
  });

  it("leaves API calls and client-side (RSC) navigations to their own answers", async () => {
    databaseRefuses();
    for (const request of [
      new NextRequest("http://localhost:3000/api/health"),
      new NextRequest("http://localhost:3000/notes", { headers: { rsc: "1" } }),
    ]) {
      const response = await proxy(request);
      expect(response.headers.get("x-middleware-next"), request.url).toBe("1");
    }
  });

  it("with the database up, a page load goes on to the page", async () => {
    const response = await proxy(new NextRequest("http://localhost:3000/login"));
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });
});
