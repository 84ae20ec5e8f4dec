/**
 * One OpenAPI operation per procedure of a router, walked the way the authorization matrix
 * walks it (`router._def.procedures`): path, method, input and output schemas from the
 * procedure's zod parsers, security from its `meta.auth`. A procedure mounted on the router is
 * documented with no other change; one that states no requirement fails here, as it fails
 * closed in the middleware.
 */
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import type { AuthRequirement, Meta } from "../trpc";
import { acceptsNoInput, toJsonSchema } from "./json-schema";
import type { JsonSchema, Operation, PathItem } from "./openapi-types";
import { describeRequirement, securityFor } from "./security";
import { ref, resultEnvelope, superjsonEnvelope } from "./trpc-wire";

/** Where the route handler serves the router. */
export const TRPC_ENDPOINT = "/api/trpc";

/** The extension carrying `meta.auth` verbatim, for tools and the consistency test. */
export const AUTH_EXTENSION = "x-gatehouse-auth";

export function proceduresOf(router: AnyRouter): [path: string, procedure: AnyProcedure][] {
  return Object.entries(router._def.procedures as Record<string, AnyProcedure>);
}

export function requirementOf(path: string, procedure: AnyProcedure): AuthRequirement {
  const auth = (procedure._def.meta as Meta | undefined)?.auth;
  if (!auth) throw new Error(`${path} states no auth requirement (meta.auth): use a builder from server/trpc.ts`);
  return auth;
}

/** The input parser a procedure validates with (tRPC merges several `.input()`s; we document the last). */
function inputParser(procedure: AnyProcedure): unknown {
  const inputs = (procedure._def as { inputs?: unknown[] }).inputs ?? [];
  return inputs.at(-1);
}

function operation(path: string, procedure: AnyProcedure): Operation {
  const requirement = requirementOf(path, procedure);
  const query = procedure._def.type === "query";
  const parser = inputParser(procedure);
  const input = superjsonEnvelope(toJsonSchema(parser, "input"));
  const optional = acceptsNoInput(parser);
  const output = (procedure._def as { output?: unknown }).output;
  const outputSchema: JsonSchema = output
    ? toJsonSchema(output, "output")
    : { description: "The procedure's return value (it declares no output schema)." };
  const content = { "application/json": { schema: input } };
  const open = "public" in requirement;
  return {
    operationId: path,
    summary: path,
    description: `${describeRequirement(requirement)}\n\ntRPC ${query ? "query" : "mutation"}: ${
      query ? "`GET` with the input as `?input=` JSON" : "`POST` with the input as the JSON body"
    }, wrapped as \`{"json": …}\` (superjson).`,
    tags: [path.split(".")[0] ?? path],
    security: securityFor(requirement),
    [AUTH_EXTENSION]: requirement,
    ...(query
      ? { parameters: [{ name: "input", in: "query", required: !optional, content }] }
      : { requestBody: { required: !optional, content } }),
    responses: {
      200: { description: "OK", content: { "application/json": { schema: resultEnvelope(outputSchema) } } },
      400: ref("BadRequest"),
      // A bad credential is a 401 even on a public procedure (never a silent anonymous).
      401: ref("Unauthorized"),
      ...(open ? {} : { 403: ref("Forbidden") }),
      404: ref("NotFound"),
      503: ref("ServiceUnavailable"),
    },
  };
}

/** `paths` for every query and mutation of the router (subscriptions have no plain HTTP call). */
export function procedurePaths(router: AnyRouter): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  for (const [path, procedure] of proceduresOf(router)) {
    const type = procedure._def.type;
    if (type !== "query" && type !== "mutation") continue;
    paths[`${TRPC_ENDPOINT}/${path}`] = { [type === "query" ? "get" : "post"]: operation(path, procedure) };
  }
  return paths;
}
