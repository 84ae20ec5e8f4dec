/**
 * Sign-out (#11 §1): after `endSession`, a copy of the session cookie (or its token sent as a
 * bearer) gets 401 through the real tRPC route handler at once, not when the token expires.
 * Only the request's cookie jar is replaced (a server action's); auth and database are real.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sessionHeaders } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";
import { refreshCookieName, sessionCookieName } from "./session-cookies";

const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    delete: ({ name }: { name: string }) => jar.delete(name),
  }),
}));
const { endSession } = await import("./session");

const database = setupTestDatabase();
beforeAll(async () => {
  await (await getAuth()).accessRevocationFeed.ready;
});
afterAll(async () => {
  await (await getAuth()).accessRevocationFeed.unsubscribe();
});

const list = async (headers: Record<string, string>) => (await createTRPCRequest("notes.list", headers)).status;

describe("sign-out", () => {
  it("refuses the copied session cookie and its bearer token - right after sign-out; another sign-in keeps working", async () => {
    const user = await createTestUser(database.current.db);
    const copied = await sessionHeaders(user);
    const otherDevice = await sessionHeaders(user);
    const cookies = new Map(copied.cookie?.split("; ").map((pair) => pair.split("=") as [string, string]));
    const access = cookies.get(sessionCookieName()) ?? "";
    const bearer = { authorization: `Bearer ${access}` };
    expect([await list(copied), await list(bearer)]).toEqual([200, 200]);

    jar.set(sessionCookieName(), access);
    jar.set(refreshCookieName(), cookies.get(refreshCookieName()) ?? "");
    expect(await endSession()).toBe("revoked");

    expect([await list(copied), await list(bearer)]).toEqual([401, 401]);
    expect(await list(otherDevice)).toBe(200);
  });
});
