/**
 * A procedure's zod parser as JSON Schema 2020-12 (OpenAPI 3.1's dialect), through zod 4's own
 * `z.toJSONSchema`. `io: "input"` describes what a client sends (a field with a default is
 * optional), `"output"` what it gets back.
 */
import { z } from "zod";
import type { JsonSchema } from "./openapi-types";

/** What a parser that is not a zod schema (or none) documents: anything. */
const ANYTHING: JsonSchema = {};

export function toJsonSchema(parser: unknown, io: "input" | "output"): JsonSchema {
  if (!(parser instanceof z.ZodType)) return ANYTHING;
  // Refinements (storable text, known scope) are code, not schema: they are left out, never fail.
  const { $schema: _dialect, ...schema } = z.toJSONSchema(parser, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as JsonSchema;
  return schema;
}

/** True when the parser accepts no input at all (`noInput`, or an optional schema). */
export function acceptsNoInput(parser: unknown): boolean {
  return parser instanceof z.ZodType ? parser.safeParse(undefined).success : true;
}
