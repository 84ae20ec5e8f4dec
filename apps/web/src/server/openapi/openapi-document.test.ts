/**
 * #13: the OpenAPI document is valid OpenAPI 3.1 and says, for every procedure, exactly what
 * the middleware enforces. Generated from the app router like the authorization matrix: each
 * documented operation is called through the real route handler at the documented path and
 * method, and the documented security is checked against the answers — a credential holding
 * exactly the documented scopes gets past auth, one missing any of them is a 403, none is a
 * 401, a header credential on a session-only operation is a 403.
 */

import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "~/app/api/trpc/[trpc]/route";
import { createTestApiKey } from "~/test/api-keys";
import { clientCredentialsToken, passwordToken, sessionHeaders } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { MINIMAL_INPUTS } from "~/test/procedure-inputs";
import { createTestUser } from "~/test/users";
import { appRouter } from "../routers/_app";
import { type RegisteredScope, scopeDescriptions, scopes, scopeValidator } from "../scopes";
import type { AuthRequirement } from "../trpc";
import { appOpenApiDocument } from "./app-openapi-document";
import type { Operation } from "./openapi-types";
import { AUTH_EXTENSION, proceduresOf, requirementOf, TRPC_ENDPOINT } from "./procedure-operations";

const database = setupTestDatabase();
const document = appOpenApiDocument();

/** Every tRPC operation of the document: its path, method and operation. */
const operations = Object.entries(document.paths)
  .filter(([path]) => path.startsWith(`${TRPC_ENDPOINT}/`))
  .flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation: operation as Operation })),
  );
// "Sign out everywhere" revokes the session caller's tokens, so it goes last.
operations.sort(
  (a, b) =>
    Number(a.operation.operationId === "account.signOutEverywhere") -
    Number(b.operation.operationId === "account.signOutEverywhere"),
);

/** What the document promises, read back from `security` alone (the extension is checked separately). */
type Documented = { public: true } | { session: true } | { scopes: string[] };
function documented(operation: Operation): Documented {
  const alternatives = operation.security;
  if (alternatives.length === 0) return { public: true };
  const schemes = alternatives.flatMap((alternative) => Object.keys(alternative));
  if (schemes.length === 1 && schemes[0] === "sessionCookie") return { session: true };
  const scopeSets = alternatives.map((alternative) => JSON.stringify(Object.values(alternative)[0]));
  // Every alternative (bearer, key, OAuth, cookie) must ask for the same scopes.
  expect(new Set(scopeSets).size, `${operation.operationId}: alternatives disagree`).toBe(1);
  expect(schemes.sort()).toEqual(["apiKey", "bearerJwt", "oauth2", "sessionCookie"]);
  return { scopes: Object.values(alternatives[0] ?? {})[0] ?? [] };
}

function call(path: string, method: string, headers: Record<string, string>, input: unknown): Promise<Response> {
  const url = `http://localhost:3000${path}`;
  const body = input === undefined ? undefined : JSON.stringify({ json: input });
  if (method === "get") return GET(new Request(body ? `${url}?input=${encodeURIComponent(body)}` : url, { headers }));
  return POST(
    new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: body ?? "{}",
    }),
  );
}

/** Got past auth: 200, or the 400/404 of a minimal input. Anything else is the status itself. */
async function outcome(response: Response): Promise<"allowed" | number> {
  return [200, 400, 404].includes(response.status) ? "allowed" : response.status;
}

let user: Awaited<ReturnType<typeof createTestUser>>;
let sessionUser: Awaited<ReturnType<typeof createTestUser>>;
let everyScopeKey: { id: string; key: string };

beforeAll(async () => {
  const db = database.current.db;
  user = await createTestUser(db, { scopes: scopes.all });
  sessionUser = await createTestUser(db, { scopes: scopes.all });
  everyScopeKey = await createTestApiKey(db, { scopes: [...scopes.all], name: "every scope" });
}, 60_000);

const bearer = async (scope: readonly string[]) => ({
  authorization: `Bearer ${await passwordToken(user, scope.join(" "))}`,
});

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 (the official schema, offline)", async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(document) as unknown as Parameters<Validator["validate"]>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("documents every query and mutation of the router, at its tRPC path and method", () => {
    const procedures = proceduresOf(appRouter);
    expect(procedures.length).toBeGreaterThanOrEqual(14);
    for (const [path, procedure] of procedures) {
      const method = procedure._def.type === "query" ? "get" : "post";
      expect(document.paths[`${TRPC_ENDPOINT}/${path}`]?.[method]?.operationId, path).toBe(path);
    }
    expect(operations).toHaveLength(procedures.length);
  });

  it("carries each procedure's meta.auth verbatim and the matching security", () => {
    for (const [path, procedure] of proceduresOf(appRouter)) {
      const requirement: AuthRequirement = requirementOf(path, procedure);
      const operation = Object.values(document.paths[`${TRPC_ENDPOINT}/${path}`] ?? {})[0] as Operation;
      expect(operation[AUTH_EXTENSION], path).toEqual(requirement);
      const want: Documented =
        "scopes" in requirement ? { scopes: [...requirement.scopes] } : (requirement as Documented);
      expect(documented(operation), path).toEqual("public" in requirement ? { public: true } : want);
    }
  });

  it("lists every registry scope with its description in both OAuth flows, tokenUrl /api/token", () => {
    const oauth2 = document.components.securitySchemes.oauth2 as {
      flows: Record<string, { tokenUrl: string; scopes: Record<string, string> }>;
    };
    for (const flow of ["password", "clientCredentials"]) {
      expect(oauth2.flows[flow]?.tokenUrl).toBe("http://localhost:3000/api/token");
      expect(Object.keys(oauth2.flows[flow]?.scopes ?? {})).toEqual([...scopes.all]);
      for (const scope of scopes.all)
        expect(oauth2.flows[flow]?.scopes[scope]).toBe(scopeDescriptions[scope as RegisteredScope]);
    }
    expect(document.components.securitySchemes.apiKey).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "X-API-Key",
    });
    expect(document.components.securitySchemes.bearerJwt).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
  });

  it("documents the OAuth, JWKS, discovery and health endpoints", () => {
    for (const path of ["/api/token", "/api/revoke", "/api/introspect"])
      expect(document.paths[path]?.post, path).toBeDefined();
    for (const path of ["/.well-known/jwks.json", "/.well-known/openid-configuration", "/api/health"]) {
      expect(document.paths[path]?.get, path).toBeDefined();
    }
  });
});

describe("documented security = enforced security, per operation", () => {
  it.each(operations.map((entry) => [entry.operation.operationId, entry] as const))(
    "%s",
    async (id, { path, method, operation }) => {
      const input = MINIMAL_INPUTS[id];
      const promise = documented(operation);
      const table: string[] = [];
      const check = async (name: string, headers: Record<string, string>, want: "allowed" | number) => {
        const got = await outcome(await call(path, method, headers, input));
        table.push(`${got === want ? "ok  " : "FAIL"} ${name}: expected ${want}, got ${got}`);
      };
      if ("public" in promise) {
        await check("anonymous", {}, "allowed");
      } else if ("session" in promise) {
        await check("anonymous", {}, 401);
        await check("bearer token holding every scope", await bearer(scopes.all), 403);
        await check("browser session", await sessionHeaders(sessionUser), "allowed");
      } else {
        await check("anonymous", {}, 401);
        // Exactly the documented scopes (any authenticated caller when none: a token for tokens:introspect alone).
        const exact = promise.scopes.length > 0 ? promise.scopes : ["tokens:introspect"];
        await check(`bearer token holding ${exact.join(" ")}`, await bearer(exact), "allowed");
        for (const scope of promise.scopes) {
          // Every registry scope but those that would satisfy this one (write implies read).
          const without = scopes.all.filter((held) => !scopeValidator.satisfies([held], scope));
          await check(`bearer token without ${scope}`, await bearer(without), 403);
        }
        const minting = operation[AUTH_EXTENSION] as { clientCredentials?: false };
        const clientCredentials = { authorization: `Bearer ${await clientCredentialsToken(everyScopeKey)}` };
        await check(
          "client-credentials token holding every scope",
          clientCredentials,
          minting.clientCredentials === false ? 403 : "allowed",
        );
      }
      expect(
        table.filter((line) => line.startsWith("FAIL")),
        `${id}\n${table.join("\n")}`,
      ).toEqual([]);
    },
  );
});
