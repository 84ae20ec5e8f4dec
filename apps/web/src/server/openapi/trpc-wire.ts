/**
 * tRPC's own HTTP wire with the superjson transformer, as the route handler at /api/trpc
 * speaks it (no REST adapter in between, so what the reference shows is what scripts send):
 *
 * - a query is `GET /api/trpc/<path>?input=<JSON>`, a mutation `POST /api/trpc/<path>` with a
 *   JSON body; either way the input is wrapped as `{"json": <input>}`;
 * - a result is `{"result":{"data":{"json": <output>, "meta"?: …}}}` (`meta` says which values
 *   superjson encoded, such as dates);
 * - an error is `{"error":{"json":{message, code, data}}}`, with the RFC 9457 problem of an auth
 *   failure in `data.problem` and the HTTP status in `data.httpStatus`.
 */
import type { JsonSchema } from "./openapi-types";

/** `{"json": value}`, how superjson sends a value without special types. */
export function superjsonEnvelope(value: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: {
      json: value,
      meta: {
        type: "object",
        additionalProperties: true,
        description:
          'superjson\'s notes on values JSON has no type for: `values` maps each one\'s path to its type, e.g. `{"values": {"0.createdAt": ["Date"]}, "v": 1}` for a list of notes. Absent when there are none.',
      },
    },
    required: ["json"],
  };
}

export function resultEnvelope(output: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: { result: { type: "object", properties: { data: superjsonEnvelope(output) }, required: ["data"] } },
    required: ["result"],
  };
}

/** `components.schemas` the operations point at. */
export const WIRE_SCHEMAS: Record<string, JsonSchema> = {
  Problem: {
    type: "object",
    description: "RFC 9457 problem details.",
    properties: {
      type: { type: "string" },
      title: { type: "string" },
      status: { type: "integer" },
      detail: { type: "string" },
    },
    required: ["type", "title", "status", "detail"],
  },
  TrpcError: {
    type: "object",
    properties: {
      error: superjsonEnvelope({
        type: "object",
        properties: {
          message: { type: "string" },
          code: { type: "integer", description: "JSON-RPC error code." },
          data: {
            type: "object",
            properties: {
              code: { type: "string", examples: ["FORBIDDEN"] },
              httpStatus: { type: "integer" },
              path: { type: "string" },
              problem: { oneOf: [{ $ref: "#/components/schemas/Problem" }, { type: "null" }] },
              zodError: { description: "The input's field errors (zod's flatten()), or null." },
            },
            required: ["code", "httpStatus"],
          },
        },
        required: ["message", "code", "data"],
      }),
    },
    required: ["error"],
  },
};

const trpcError = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/TrpcError" } } },
});

/** `components.responses`, shared by every procedure. */
export const WIRE_RESPONSES = {
  BadRequest: trpcError("Bad input: an unknown field, a wrong type, a malformed `input` (BAD_REQUEST)."),
  Unauthorized: {
    ...trpcError("No credential, or a bad one (UNAUTHORIZED). The problem is in `error.json.data.problem`."),
    headers: { "WWW-Authenticate": { schema: { type: "string" }, description: "`Bearer …` challenge." } },
  },
  Forbidden: trpcError(
    "The credential lacks a required scope, or is not the kind this procedure takes (FORBIDDEN). `data.problem.detail` names the scope.",
  ),
  NotFound: trpcError("No such thing, or not yours: the answer never says which (NOT_FOUND)."),
  ServiceUnavailable: trpcError("The database is unreachable or the request ran past its deadline; retry later."),
} as const;

/** `$ref`s into `components.responses`. */
export const ref = (name: keyof typeof WIRE_RESPONSES) => ({ $ref: `#/components/responses/${name}` });
