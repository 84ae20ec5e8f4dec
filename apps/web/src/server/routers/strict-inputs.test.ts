/**
 * Procedure inputs are strict and text is storable: an unknown field is a 400 naming it
 * (never silently dropped), and a NUL or an unpaired surrogate is a 400 (never a 500 from
 * Postgres). Generated from the app router, so a new procedure is covered without edits.
 * Through the real route handler, with a credential that holds every scope.
 */
import { listApiKeys } from "@gatehouse/db/api-keys";
import type { AnyProcedure } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { sessionHeaders } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "../auth";
import { scopes } from "../scopes";
import type { Meta } from "../trpc";
import { appRouter } from "./_app";

const database = setupTestDatabase();
let owner: Awaited<ReturnType<typeof createTestUser>>;
let authorization: string;
let session: Record<string, string>;

beforeAll(async () => {
  owner = await createTestUser(database.current.db, { scopes: scopes.all });
  const { issuer } = await getAuth();
  const token = await issuer.createAccessToken({ sub: owner.id, kind: "user", scope: scopes.all.join(" ") });
  authorization = `Bearer ${token.access_token}`;
  session = await sessionHeaders(owner);
});

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);

function call(path: string, input: unknown) {
  const procedure = (appRouter._def.procedures as unknown as Record<string, AnyProcedure>)[path];
  const method = procedure?._def.type === "mutation" ? "POST" : "GET";
  // Session-only procedures (account.*) answer the browser session, never a bearer token.
  const sessionOnly = (procedure?._def.meta as Meta | undefined)?.auth;
  const headers = sessionOnly && "session" in sessionOnly ? session : { authorization };
  return createTRPCRequest(path, headers, { method, input });
}

describe("every procedure's input is strict", () => {
  it("walks a non-empty router", () => {
    expect(procedures.length).toBeGreaterThan(5);
  });

  it.each(procedures.map(([path]) => path))("%s refuses an unknown field - 400 naming it", async (path) => {
    const response = await call(path, { zzUnknownField: 1 });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("zzUnknownField");
  });

  it("refuses a misspelt expiry on apiKeys.create - 400, and no key is minted", async () => {
    const response = await call("apiKeys.create", { name: "ci", scopes: ["notes:read"], expiresInDay: 30 });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("expiresInDay");
    expect(await listApiKeys(database.current.db, owner.id)).toEqual([]);
  });
});

describe("text inputs refuse what Postgres cannot store as typed", () => {
  const unstorable = { NUL: "a\u0000b", "a lone high surrogate": "a\uD800b", "a lone low surrogate": "\uDC00" };

  it.each(Object.entries(unstorable))("refuses %s in a note title or body - 400, not 500", async (_name, value) => {
    for (const input of [{ title: value }, { title: "ok", body: value }]) {
      const response = await call("notes.create", input);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("NUL characters or unpaired surrogates");
    }
  });

  it.each(Object.entries(unstorable))("refuses %s in an API key's name - 400, no key minted", async (_name, value) => {
    const response = await call("apiKeys.create", { name: value, scopes: ["notes:read"] });
    expect(response.status).toBe(400);
    expect(await listApiKeys(database.current.db, owner.id)).toEqual([]);
  });

  it("accepts a paired surrogate (an emoji) and stores it as typed", async () => {
    const response = await call("notes.create", { title: "ok 🦊", body: "x" });
    expect(response.status).toBe(200);
    expect((await response.json()).result.data.json.title).toBe("ok 🦊");
  });
});
