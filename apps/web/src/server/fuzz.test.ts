/**
 * Random input at everything a client can reach: every procedure of the app router (walked,
 * so a new one is fuzzed without edits) and every route handler we own. Whatever arrives —
 * any JSON, NULs and unpaired surrogates in fields the routers know, junk credentials,
 * headers, cookies and raw bodies — the answer is never a 5xx, never carries SQL or a stack,
 * and a protected procedure never answers 200 without a valid credential.
 */
import type { AnyProcedure } from "@trpc/server";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as jwks } from "~/app/.well-known/jwks.json/route";
import { GET as discovery } from "~/app/.well-known/openid-configuration/route";
import { GET as health } from "~/app/api/health/route";
import { POST as introspect } from "~/app/api/introspect/route";
import { POST as revoke } from "~/app/api/revoke/route";
import { POST as token, GET as tokenGet } from "~/app/api/token/route";
import { GET as trpcGet, POST as trpcPost } from "~/app/api/trpc/[trpc]/route";
import { setupTestDatabase } from "~/test/database";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";
import { appRouter } from "./routers/_app";
import { scopes } from "./scopes";
import { refreshCookieName, sessionCookieName } from "./session-cookies";
import type { Meta } from "./trpc";

const database = setupTestDatabase();
let validBearer: string;

beforeAll(async () => {
  const user = await createTestUser(database.current.db, { scopes: scopes.all });
  const { issuer } = await getAuth();
  const issued = await issuer.createAccessToken({ sub: user.id, kind: "user", scope: scopes.all.join(" ") });
  validBearer = `Bearer ${issued.access_token}`;
});

// Bounded so the suite stays fast; each run is one request through the real handler.
const RUNS = 40;
const BASE = "http://localhost:3000";

/**
 * What must never be in a body: drizzle's failed-query text, driver error names, stack frames
 * (raw or JSON-escaped). Short SQL fragments (`$1`, `from "notes"`) are left out on purpose: the
 * fuzzer's own header values are echoed back (tRPC names an unsupported content type) and
 * would match by chance.
 */
const LEAKS = /Failed query|params:|PostgresError|DrizzleQueryError|(?:\\n|\n)\s*at \S+ \(|\.[tj]s:\d+:\d+/;

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
/** Any UTF-16 code units, and often a NUL or an unpaired surrogate somewhere in them. */
const anyText = fc.oneof(
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 1 },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.constantFrom("\u0000", "\uD800", "\uDFFF"), fc.string({ maxLength: 10 }))
      .map((parts) => parts.join("")),
  },
);
const fieldValue = fc.oneof(
  { arbitrary: anyText, weight: 6 },
  fc.uuid(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(anyText, fc.constantFrom(...scopes.all)), { maxLength: 3 }),
);
/** The field names a procedure's input schema declares (zod objects, possibly optional). */
function declaredFields(procedure: AnyProcedure): string[] {
  return (procedure._def.inputs as unknown[]).flatMap((schema) => {
    const unwrapped = (schema as { unwrap?: () => unknown }).unwrap?.() ?? schema;
    const shape = (unwrapped as { shape?: Record<string, unknown> }).shape;
    return shape ? Object.keys(shape) : [];
  });
}

/** Objects of the fields the procedure knows (so bad values get past the strict check), sometimes one more. */
function inputFor(procedure: AnyProcedure) {
  const fields = declaredFields(procedure);
  const known = fields.length
    ? fc.dictionary(fc.constantFrom(...fields), fieldValue, { maxKeys: fields.length })
    : fc.constant({});
  return fc.oneof(
    { arbitrary: known, weight: 4 },
    { arbitrary: known.map((object) => ({ ...object, zz: 1 })), weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const HEADER_NAMES = [
  "authorization",
  "x-api-key",
  "content-type",
  "origin",
  "host",
  "x-forwarded-for",
  "x-forwarded-host",
  "accept",
  "trpc-accept",
  "content-length",
] as const;
const junkHeaders = fc.dictionary(fc.constantFrom(...HEADER_NAMES), printable, { maxKeys: 4 });
const junkCookie = fc.oneof(
  fc.constant(undefined),
  printable,
  printable.map((value) => `${sessionCookieName()}=${encodeURIComponent(value)}`),
  printable.map((value) => `${refreshCookieName()}=${encodeURIComponent(value)}`),
);
type Credential = "none" | "junk bearer" | "junk key" | "valid";
// A valid credential half the time, so bad input gets past authentication to the resolvers.
const credential = fc.oneof(
  fc.constantFrom<Credential>("none", "junk bearer", "junk key"),
  fc.constant<Credential>("valid"),
);

/** An OAuth endpoint's body: a form of these parameters, binary junk, or none. */
function formBody(names: readonly string[], values: fc.Arbitrary<string>, maxKeys: number) {
  return fc.oneof(
    fc
      .dictionary(fc.constantFrom(...names), values, { maxKeys })
      .map((params) => new URLSearchParams(params).toString()),
    fc.string({ unit: "binary" }),
    fc.constant(undefined),
  );
}

/** The fuzzed request's headers; `form` labels the body urlencoded (else a junk type or none). */
function headersFor(kind: Credential, junk: Record<string, string>, cookie: string | undefined, form = false): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(junk)) {
    // Credentials are the credential arbitrary's job; the rest is any printable value.
    if (name !== "authorization" && name !== "x-api-key" && name !== "content-length") headers.set(name, value);
  }
  if (cookie !== undefined) headers.set("cookie", cookie);
  if (kind === "junk bearer") headers.set("authorization", `Bearer ${junk.authorization ?? "x"}`);
  if (kind === "junk key") headers.set("x-api-key", `gk_test_${junk["x-api-key"] ?? "x"}`);
  if (kind === "valid") headers.set("authorization", validBearer);
  if (form) headers.set("content-type", "application/x-www-form-urlencoded");
  return headers;
}

async function expectClean(response: Response, label: string): Promise<string> {
  const text = await response.text();
  expect(response.status, `${label}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(text, label).not.toMatch(LEAKS);
  return text;
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);

describe("fuzzing every procedure", () => {
  it("reads each procedure's fields from its schema, so values reach past the strict check", () => {
    const byPath = Object.fromEntries(procedures);
    expect(declaredFields(byPath["notes.create"] as AnyProcedure)).toEqual(["title", "body"]);
    expect(declaredFields(byPath["auth.me"] as AnyProcedure)).toEqual([]);
  });

  it.each(procedures.map(([path, procedure]) => [path, procedure] as const))(
    "%s: never 5xx, never SQL or a stack, never 200 unauthenticated when protected",
    async (path, procedure) => {
      const requirement = (procedure._def.meta as Meta | undefined)?.auth;
      const isProtected = requirement !== undefined && !("public" in requirement && requirement.public);
      await fc.assert(
        fc.asyncProperty(
          credential,
          junkHeaders,
          junkCookie,
          inputFor(procedure),
          fc.boolean(),
          fc.boolean(),
          async (kind, junk, cookie, value, asPost, junkType) => {
            const headers = headersFor(kind, junk, cookie);
            const url = `${BASE}/api/trpc/${path}`;
            const body = value === undefined ? undefined : JSON.stringify({ json: value });
            let response: Response;
            if (asPost || procedure._def.type === "mutation") {
              // A junk content type is a 415 before any procedure runs (fuzzed below); mostly send JSON.
              if (!headers.has("content-type") || !junkType) headers.set("content-type", "application/json");
              response = await trpcPost(new Request(url, { method: "POST", headers, body: body ?? "{}" }));
            } else {
              const query = body === undefined ? "" : `?input=${encodeURIComponent(body)}`;
              response = await trpcGet(new Request(`${url}${query}`, { headers }));
            }
            await expectClean(response, `${path} as ${kind}`);
            if (isProtected && kind !== "valid") expect(response.status, `${path} as ${kind}`).not.toBe(200);
          },
        ),
        { numRuns: RUNS },
      );
    },
  );

  it("a raw body or a made-up path: never 5xx, never SQL or a stack", async () => {
    const paths = fc.oneof(fc.constantFrom(...procedures.map(([path]) => path)), printable);
    await fc.assert(
      fc.asyncProperty(credential, junkHeaders, junkCookie, paths, fc.string({ unit: "binary" }), async (...args) => {
        const [kind, junk, cookie, path, raw] = args;
        const headers = headersFor(kind, junk, cookie);
        const url = `${BASE}/api/trpc/${encodeURIComponent(path)}?batch=${raw.length % 2}`;
        const response = await trpcPost(new Request(url, { method: "POST", headers, body: raw }));
        await expectClean(response, `raw ${path}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe("fuzzing every route handler we own", () => {
  it("the token endpoint: any method, headers, cookies and body", async () => {
    const body = formBody(
      ["grant_type", "username", "password", "scope", "refresh_token", "client_id", "client_secret"],
      fc.oneof(anyText, fc.constantFrom("password", "refresh_token", "client_credentials")),
      5,
    );
    await fc.assert(
      fc.asyncProperty(
        credential,
        junkHeaders,
        junkCookie,
        body,
        fc.boolean(),
        async (kind, junk, cookie, raw, form) => {
          const headers = headersFor(kind, junk, cookie, form);
          const request = new Request(`${BASE}/api/token`, { method: "POST", headers, body: raw });
          const text = await expectClean(await token(request), "token");
          expect(text).not.toMatch(/"access_token"/);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    await expectClean(await tokenGet(new Request(`${BASE}/api/token`)), "token GET");
  });

  it("the revocation and introspection endpoints: any headers, cookies and body; introspection never says active", async () => {
    const body = formBody(
      ["token", "token_type_hint", "client_id", "client_secret"],
      fc.oneof(anyText, fc.constantFrom("access_token", "refresh_token", `ghr_${"A".repeat(43)}`)),
      4,
    );
    await fc.assert(
      fc.asyncProperty(
        credential,
        junkHeaders,
        junkCookie,
        body,
        fc.boolean(),
        async (kind, junk, cookie, raw, form) => {
          const headers = headersFor(kind, junk, cookie, form);
          const init = { method: "POST", headers, body: raw };
          await expectClean(await revoke(new Request(`${BASE}/api/revoke`, init)), "revoke");
          const text = await expectClean(await introspect(new Request(`${BASE}/api/introspect`, init)), "introspect");
          // No fuzzed caller holds tokens:introspect.
          expect(text).not.toMatch(/"active":true/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("health and the .well-known documents take no input and answer cleanly", async () => {
    for (const [name, handler] of [
      ["health", health],
      ["jwks", jwks],
      ["discovery", discovery],
    ] as const) {
      await expectClean(await handler(), name);
    }
  });
});
