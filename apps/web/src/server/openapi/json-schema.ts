/**
 * A procedure's zod parser as JSON Schema 2020-12 (OpenAPI 3.1's dialect), through zod 4's own
 * `z.toJSONSchema`. `io: "input"` describes what a client sends (a field with a default is
 * optional), `"output"` what it gets back.
 *
 * `z.date()` has no JSON Schema of its own (zod leaves it `{}`). Over our wire superjson sends a
 * Date as its ISO 8601 string (`toISOString()`, always UTC with milliseconds) and lists its path
 * in the envelope's `meta.values` (`{"0.createdAt": ["Date"]}`), so a superjson client gets a
 * Date back. The honest JSON Schema of what is on the wire is that string: `type: "string",
 * format: "date-time"`, set through zod's `override` hook.
 */
import { z } from "zod";
import type { JsonSchema } from "./openapi-types";

/** What a parser that is not a zod schema (or none) documents: anything. */
const ANYTHING: JsonSchema = {};

const SUPERJSON_DATE = {
  type: "string",
  format: "date-time",
  description: "A Date: sent as its ISO 8601 string, its path listed in superjson's `meta.values`",
} as const;

/** Fills in what zod cannot represent and our transformer sends as JSON (dates). */
function superjsonTypes({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }) {
  if (zodSchema._zod.def.type !== "date") return;
  // A `.describe()` on the date says more than the generic note: it wins.
  Object.assign(jsonSchema, { ...SUPERJSON_DATE, ...jsonSchema });
}

export function toJsonSchema(parser: unknown, io: "input" | "output"): JsonSchema {
  if (!(parser instanceof z.ZodType)) return ANYTHING;
  // Refinements (storable text, known scope) are code, not schema: they are left out, never fail.
  const { $schema: _dialect, ...schema } = z.toJSONSchema(parser, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    override: superjsonTypes,
  }) as JsonSchema;
  return schema;
}

/** True when the parser accepts no input at all (`noInput`, or an optional schema). */
export function acceptsNoInput(parser: unknown): boolean {
  return parser instanceof z.ZodType ? parser.safeParse(undefined).success : true;
}
