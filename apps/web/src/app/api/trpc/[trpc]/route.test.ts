/**
 * The tRPC route handler as a client meets it over HTTP: its 1 MiB body cap (refused unread
 * when declared), `Cache-Control: no-store` on every answer, and bearer tokens only from the
 * `Authorization` header.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getAuth } from "~/server/auth";
import { countedBody } from "~/test/counted-body";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { GET, POST } from "./route";

const database = setupTestDatabase();
let userId: string;
beforeAll(async () => {
  userId = (await createTestUser(database.current.db)).id;
});

const MIB = 1024 * 1024;
const url = (path: string) => `http://localhost:3000/api/trpc/${path}`;

async function bearer(scope = "notes:read") {
  const { issuer } = await getAuth();
  return `Bearer ${(await issuer.createAccessToken({ sub: userId, kind: "user", scope })).access_token}`;
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  const init = { method: "POST", body, duplex: "half", headers: { "content-type": "application/json", ...headers } };
  return POST(new Request(url(path), init as RequestInit));
}

describe("tRPC route body limit (1 MiB)", () => {
  it("refuses a declared oversized body - 413 problem, body never read", async () => {
    const body = countedBody();
    const response = await post("notes.create", body.stream, { "content-length": String(MIB + 1) });
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 413 });
    expect(body.pulls()).toBe(0);
  });

  it("refuses an undeclared body once it runs past 1 MiB - 413, reading stopped there", async () => {
    const body = countedBody(); // endless, 1 KiB a pull
    const response = await post("notes.create", body.stream);
    expect(response.status).toBe(413);
    expect(body.pulls()).toBeLessThanOrEqual(MIB / 1024 + 1);
  });

  it("lets a body of exactly 1 MiB through to tRPC", async () => {
    const json = JSON.stringify({ json: { title: "t", body: "" } });
    const padded = json.replace('""', `"${"x".repeat(MIB - json.length)}"`);
    expect(new TextEncoder().encode(padded).byteLength).toBe(MIB);
    const response = await post("notes.create", padded, { authorization: await bearer("notes:write") });
    // tRPC parsed it and the input schema judged it (a 1 MiB note body is over the note limit).
    expect(response.status).toBe(400);
    expect((await response.json()).error.json.data.code).toBe("BAD_REQUEST");
  });
});

describe("tRPC answers are never cached", () => {
  it("sends no-store - success of an authenticated call", async () => {
    const response = await createTRPCRequest("auth.me", { authorization: await bearer() });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("sends no-store - authenticated call refused for a missing scope (403)", async () => {
    const response = await createTRPCRequest(
      "notes.create",
      { authorization: await bearer("notes:read") },
      { method: "POST", input: { title: "t", body: "b" } },
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("sends no-store - authenticated call with bad input (400)", async () => {
    const response = await createTRPCRequest("notes.get", { authorization: await bearer() }, { input: { id: 7 } });
    expect(response.status).toBe(400);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

describe("bearer token in the query string", () => {
  it("is never read - ?access_token= on auth.me is a 401", async () => {
    const token = (await bearer()).slice("Bearer ".length);
    const response = await GET(new Request(`${url("auth.me")}?access_token=${token}`));
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(token);
  });

  it("is never read - ?access_token= on auth.session answers anonymous", async () => {
    const token = (await bearer()).slice("Bearer ".length);
    const response = await GET(new Request(`${url("auth.session")}?access_token=${token}`));
    expect(response.status).toBe(200);
    expect((await response.json()).result.data.json).toBeNull();
  });
});
