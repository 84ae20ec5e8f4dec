import { createUser, setUserDisabled, type User } from "@gatehouse/db/users";
import { type AnyProcedure, TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { getAuth } from "../auth";
import { createContext, type Meta } from "../trpc";
import { appRouter } from "./_app";

const database = setupTestDatabase();

let ada: User;
let eve: User;
beforeAll(async () => {
  ada = await createUser(database.current.db, { email: "ada@example.com", passwordHash: "x", scopes: ["notes:*"] });
  eve = await createUser(database.current.db, { email: "eve@example.com", passwordHash: "x", scopes: ["notes:*"] });
});

async function tokenFor(sub: string, scope: string) {
  const { issuer } = await getAuth();
  return (await issuer.createAccessToken({ sub, kind: "user", scope })).access_token;
}

async function callerFor(user: User, scope = "notes:read notes:write") {
  const headers = new Headers({ authorization: `Bearer ${await tokenFor(user.id, scope)}` });
  return appRouter.createCaller(await createContext({ headers }));
}

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

describe("notes router", () => {
  it("creates, lists, gets, updates and deletes a note", async () => {
    const caller = await callerFor(ada);
    const created = await caller.notes.create({ title: "  Groceries  ", body: "eggs" });
    expect(created).toMatchObject({ ownerId: ada.id, title: "Groceries", body: "eggs" });

    expect((await caller.notes.list()).map((n) => n.id)).toContain(created.id);
    expect(await caller.notes.get({ id: created.id })).toEqual(created);

    const updated = await caller.notes.update({ id: created.id, body: "eggs, milk" });
    expect(updated).toMatchObject({ title: "Groceries", body: "eggs, milk" });

    expect(await caller.notes.delete({ id: created.id })).toEqual({ id: created.id });
    await expect(caller.notes.get({ id: created.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("accepts notes:write alone for reading too - write implies read", async () => {
    const caller = await callerFor(ada, "notes:write");
    const created = await caller.notes.create({ title: "write implies read" });
    expect(created.body).toBe("");
    expect((await caller.notes.get({ id: created.id })).title).toBe("write implies read");
  });

  it("lets a read-only token list but not create - 403 missing notes:write", async () => {
    const caller = await callerFor(ada, "notes:read");
    await expect(caller.notes.list()).resolves.toBeInstanceOf(Array);
    const error = await caller.notes.create({ title: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "Token is missing required scope: notes:write" });
  });

  it("refuses a token without notes scopes - 403 missing notes:read", async () => {
    const caller = await callerFor(ada, "api_keys:read");
    await expect(caller.notes.list()).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Token is missing required scope: notes:read",
    });
  });

  it("answers a missing scope over HTTP with a 403 problem detail", async () => {
    const token = await tokenFor(ada.id, "notes:read");
    const response = await createTRPCRequest(
      "notes.create",
      { authorization: `Bearer ${token}` },
      { method: "POST", input: { title: "nope" } },
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    const body = await response.json();
    expect(body.error.json.data.problem).toMatchObject({
      status: 403,
      detail: "Token is missing required scope: notes:write",
    });
  });

  it("refuses an anonymous caller - 401", async () => {
    const caller = appRouter.createCaller(await createContext({ headers: new Headers() }));
    await expect(caller.notes.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("isolates users - another's note is NOT_FOUND for get, update and delete, and absent from list", async () => {
    const asAda = await callerFor(ada);
    const asEve = await callerFor(eve);
    const secret = await asAda.notes.create({ title: "Ada's secret", body: "42" });

    await expect(asEve.notes.get({ id: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asEve.notes.update({ id: secret.id, title: "pwned" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asEve.notes.delete({ id: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await asEve.notes.list()).map((n) => n.id)).not.toContain(secret.id);

    expect(await asAda.notes.get({ id: secret.id })).toMatchObject({ title: "Ada's secret", body: "42" });
  });

  it("answers NOT_FOUND for an unknown id, the same as a foreign one", async () => {
    const caller = await callerFor(ada);
    await expect(caller.notes.get({ id: UNKNOWN_ID })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Note not found",
    });
    await expect(caller.notes.delete({ id: UNKNOWN_ID })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("rejects bad input - blank or long title, long body, non-uuid id", async () => {
    const caller = await callerFor(ada);
    await expect(caller.notes.create({ title: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.notes.create({ title: "x".repeat(201) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.notes.create({ title: "ok", body: "x".repeat(10_001) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(caller.notes.get({ id: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.notes.create({ title: "x".repeat(200), body: "x".repeat(10_000) })).resolves.toBeDefined();
  });

  it("refuses a disabled user whose token is still valid - 401", async () => {
    const gone = await createUser(database.current.db, { email: "gone@example.com", passwordHash: "x", scopes: [] });
    const caller = await callerFor(gone);
    await setUserDisabled(database.current.db, gone.id, true);
    await expect(caller.notes.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("declares each procedure's scope as meta - the data the middleware enforces", () => {
    const { list, get, create, update, delete: remove } = appRouter.notes;
    const scopesOf = (procedure: AnyProcedure) => {
      const auth = (procedure._def.meta as Meta | undefined)?.auth;
      return auth && "scopes" in auth ? auth.scopes : undefined;
    };
    expect(scopesOf(list)).toEqual(["notes:read"]);
    expect(scopesOf(get)).toEqual(["notes:read"]);
    expect(scopesOf(create)).toEqual(["notes:write"]);
    expect(scopesOf(update)).toEqual(["notes:write"]);
    expect(scopesOf(remove)).toEqual(["notes:write"]);
  });
});
