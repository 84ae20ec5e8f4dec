/**
 * #10 §3: every procedure states who may call it (`meta.auth`), and this proves it for every
 * kind of caller. Generated from the app router: a new procedure is in the matrix the moment
 * it is mounted, and one that states no requirement fails here.
 *
 * Each procedure is called through the real HTTP route handler as: anonymous, a browser
 * session (cookie, same-origin JSON headers), a narrowed password token, a client-credentials
 * token holding every scope, and one API key per scope of the registry. The answer must be
 * 401 / 403 / allowed exactly as `meta.auth` says. "Allowed" = got past auth: 200, or the
 * 400/404 of a minimal input (a random id) — never 401, 403 or 5xx.
 */
import { missingScope } from "@gatehouse/auth/scopes";
import type { AnyProcedure } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestApiKey } from "~/test/api-keys";
import { clientCredentialsToken, passwordToken, sessionHeaders } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { MINIMAL_INPUTS } from "~/test/procedure-inputs";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { appRouter } from "./routers/_app";
import { scopes, scopeValidator } from "./scopes";
import { type AuthRequirement, type Meta, protectedProcedure, publicProcedure } from "./trpc";

const database = setupTestDatabase();

type Outcome = "allowed" | 401 | 403;

interface Caller {
  name: string;
  headers: Record<string, string>;
  /** `null`: anonymous. */
  scopes: readonly string[] | null;
  /** Our session cookie (the first-party browser session). */
  session?: boolean;
  clientCredentials?: boolean;
}

/** The requirement a procedure states; throws (so the matrix fails) when it states none or an unknown shape. */
function requirementOf(path: string, procedure: AnyProcedure): AuthRequirement {
  const auth = (procedure._def.meta as Meta | undefined)?.auth as Record<string, unknown> | undefined;
  const shapes = [
    auth?.public === true && Object.keys(auth).length === 1,
    auth?.session === true && Object.keys(auth).length === 1,
    Array.isArray(auth?.scopes),
  ];
  if (!auth || shapes.filter(Boolean).length !== 1) {
    throw new Error(`${path} states no auth requirement (meta.auth): use a builder from server/trpc.ts`);
  }
  return auth as unknown as AuthRequirement;
}

/** What `meta.auth` promises for this caller. */
function expected(requirement: AuthRequirement, caller: Caller): Outcome {
  if ("public" in requirement) return "allowed";
  if (caller.scopes === null) return 401;
  if ("session" in requirement) return caller.session ? "allowed" : 403;
  if (missingScope(scopeValidator, caller.scopes, requirement.scopes) !== undefined) return 403;
  if (requirement.clientCredentials === false && caller.clientCredentials) return 403;
  return "allowed";
}

async function outcome(path: string, procedure: AnyProcedure, caller: Caller): Promise<Outcome | number> {
  const method = procedure._def.type === "mutation" ? "POST" : "GET";
  const response = await createTRPCRequest(path, caller.headers, { method, input: MINIMAL_INPUTS[path] });
  if (response.status === 401 || response.status === 403) return response.status;
  return [200, 400, 404].includes(response.status) ? "allowed" : response.status;
}

// "Sign out everywhere" revokes the shared callers' access tokens (#11 §1), so it goes last.
const LAST = "account.signOutEverywhere";
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>).sort(
  ([a], [b]) => Number(a === LAST) - Number(b === LAST),
);
const callers: Caller[] = [];

beforeAll(async () => {
  const db = database.current.db;
  const user = await createTestUser(db);
  // Another account: the session caller's "sign out everywhere" must not revoke this caller's token.
  const tokenUser = await createTestUser(db);
  const keyOwnerScopes = [...scopes.all];
  const everything = await createTestApiKey(db, { scopes: keyOwnerScopes, name: "client" });
  callers.push(
    { name: "anonymous", headers: {}, scopes: null },
    { name: "browser session", headers: await sessionHeaders(user), scopes: user.scopes, session: true },
    {
      name: "password token narrowed to notes:read",
      headers: { authorization: `Bearer ${await passwordToken(tokenUser, "notes:read")}` },
      scopes: ["notes:read"],
    },
    {
      name: "client-credentials token holding every scope",
      headers: { authorization: `Bearer ${await clientCredentialsToken(everything)}` },
      scopes: keyOwnerScopes,
      clientCredentials: true,
    },
  );
  for (const scope of scopes.all) {
    const { key } = await createTestApiKey(db, { scopes: [scope], name: scope });
    callers.push({ name: `API key holding only ${scope}`, headers: { "x-api-key": key }, scopes: [scope] });
  }
}, 60_000);

describe("authorization matrix", () => {
  it("covers the whole router and every scope of the registry", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(15);
    // The security activity list (#11 §5) is the user's own: browser session only, like the rest of account.*.
    const activity = procedures.find(([path]) => path === "account.activity");
    expect(activity && requirementOf(...activity)).toEqual({ session: true });
    expect(callers.map((caller) => caller.name)).toHaveLength(4 + scopes.all.length);
  });

  it.each(procedures)("%s answers every caller as its meta.auth states", async (path, procedure) => {
    const requirement = requirementOf(path, procedure);
    const table: string[] = [];
    let mismatches = 0;
    for (const caller of callers) {
      const want = expected(requirement, caller);
      const got = await outcome(path, procedure, caller);
      if (got !== want) mismatches++;
      table.push(`${got === want ? "ok  " : "FAIL"} ${caller.name}: expected ${want}, got ${got}`);
    }
    expect(mismatches, `${path} (${JSON.stringify(requirement)})\n${table.join("\n")}`).toBe(0);
  });
});

describe("the matrix itself", () => {
  it("fails a procedure that states no requirement", () => {
    const unstated = publicProcedure.meta({ auth: undefined as never }).query(() => "open");
    expect(() => requirementOf("unstated", unstated)).toThrow(/states no auth requirement/);
    expect(
      requirementOf(
        "stated",
        protectedProcedure.query(() => "x"),
      ),
    ).toEqual({ scopes: [] });
  });

  it("clientCredentials: false refuses a client-credentials token in the middleware - 403, before any handler", async () => {
    const { router, createCallerFactory, createContext, credentialMintingProcedure } = await import("./trpc");
    const mint = credentialMintingProcedure("notes:read").query(() => "minted");
    const call = async (headers: Record<string, string>) =>
      createCallerFactory(router({ mint }))(await createContext({ headers: new Headers(headers) })).mint();
    const client = callers.find((caller) => caller.clientCredentials) as Caller;
    const key = callers.find((caller) => caller.name === "API key holding only notes:read") as Caller;
    await expect(call(client.headers)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(call(key.headers)).resolves.toBe("minted");
  });

  it("an enforcing builder whose requirement was erased fails closed - 500, never open", async () => {
    const erased = protectedProcedure.meta({ auth: undefined as never }).query(() => "open");
    const { router, createCallerFactory } = await import("./trpc");
    const { createContext } = await import("./trpc");
    const caller = createCallerFactory(router({ erased }))(await createContext({ headers: new Headers() }));
    await expect(caller.erased()).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
  });
});
