import { hashPassword } from "@gatehouse/auth/password";
import { createUser, setUserDisabled } from "@gatehouse/db/users";
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";
import { appRouter } from "./routers/_app";
import { sessionCookieName } from "./session-cookies";

const database = setupTestDatabase();

async function tokenFor(sub: string, scope = "notes:read") {
  const { issuer } = await getAuth();
  return (await issuer.createAccessToken({ sub, kind: "user", scope })).access_token;
}

describe("auth.me over HTTP", () => {
  it("answers the principal for a valid bearer token", async () => {
    const response = await createTRPCRequest("auth.me", { authorization: `Bearer ${await tokenFor("user-1")}` });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.result.data.json).toEqual({ subject: "user-1", kind: "user", scopes: ["notes:read"] });
  });

  it("refuses without credentials - 401 with a Bearer challenge and a problem body", async () => {
    const response = await createTRPCRequest("auth.me", {});
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const body = await response.json();
    expect(body.error.json.data.problem).toMatchObject({ status: 401, title: "Unauthorized" });
  });

  it("refuses a malformed bearer header - 401, never anonymous, token not echoed", async () => {
    const response = await createTRPCRequest("auth.session", { authorization: "Bearer abc def" });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toContain("abc def");
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_request"');
  });

  it("refuses a token signed by someone else - 401 invalid_token", async () => {
    const [header, payload] = (await tokenFor("user-1")).split(".");
    const response = await createTRPCRequest("auth.me", { authorization: `Bearer ${header}.${payload}.AAAA` });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});

describe("account.get", () => {
  it("loads the database user behind the session cookie", async () => {
    const user = await createUser(database.current.db, {
      email: "ada@example.com",
      passwordHash: await hashPassword("a long enough password"),
      scopes: ["notes:*"],
    });
    const caller = appRouter.createCaller(await contextWith(await tokenFor(user.id)));
    const account = await caller.account.get();
    expect(account).toMatchObject({ id: user.id, email: "ada@example.com" });
    expect(account).not.toHaveProperty("passwordHash");
    // The same token as a bearer header is not the browser session: account procedures refuse it.
    const bearer = appRouter.createCaller(await contextWith(await tokenFor(user.id), "header"));
    await expect(bearer.account.get()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses a deleted user - 401 through ctx.user(), and over HTTP, while the token is still valid", async () => {
    const user = await createTestUser(database.current.db);
    const token = await tokenFor(user.id);
    const before = await createTRPCRequest("notes.list", { authorization: `Bearer ${token}` });
    expect(before.status).toBe(200);
    // Deleted outright, not disabled: no row at all behind the token's sub (the id is our own uuid).
    await database.current.db.execute(`delete from users where id = '${user.id}'`);
    const caller = appRouter.createCaller(await contextWith(token));
    await expect(caller.account.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const response = await createTRPCRequest("notes.list", { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    expect((await response.json()).error.json.data.problem).toMatchObject({ status: 401, code: "invalid_token" });
    await expect(caller.auth.me()).resolves.toMatchObject({ subject: user.id }); // the token itself is fine
  });

  it("refuses a disabled user - 401", async () => {
    const user = await createUser(database.current.db, { email: "gone@example.com", passwordHash: "x", scopes: [] });
    await setUserDisabled(database.current.db, user.id, true);
    const caller = appRouter.createCaller(await contextWith(await tokenFor(user.id)));
    await expect(caller.account.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

async function contextWith(token: string, via: "cookie" | "header" = "cookie") {
  const { createContext } = await import("./trpc");
  const headers = new Headers();
  if (via === "cookie") headers.set("cookie", `${sessionCookieName()}=${token}`);
  else headers.set("authorization", `Bearer ${token}`);
  return createContext({ headers });
}
