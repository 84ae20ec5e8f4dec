/**
 * #13: every procedure of the app router documents what it returns, from its `.output()` zod
 * schema — none is left as "unknown", and no part of an answer (a date, say) is an empty schema.
 */
import { describe, expect, it } from "vitest";
import { appRouter } from "../routers/_app";
import { appOpenApiDocument } from "./app-openapi-document";
import type { JsonSchema, Operation } from "./openapi-types";
import { proceduresOf, TRPC_ENDPOINT } from "./procedure-operations";

const document = appOpenApiDocument();

/** The documented `json` of a procedure's 200 answer (`{"result":{"data":{"json": …}}}`). */
function documentedOutput(path: string): JsonSchema | undefined {
  const operation = Object.values(document.paths[`${TRPC_ENDPOINT}/${path}`] ?? {})[0] as Operation | undefined;
  const ok = operation?.responses[200] as
    | { content: { "application/json": { schema: { properties: Record<string, JsonSchema> } } } }
    | undefined;
  const result = ok?.content["application/json"].schema.properties.result as
    | { properties: { data: { properties: { json: JsonSchema } } } }
    | undefined;
  return result?.properties.data.properties.json;
}

/** Keywords that say what a value is; a schema with none of them (only a description) accepts anything. */
const SHAPE_KEYWORDS = ["type", "anyOf", "oneOf", "allOf", "const", "enum", "$ref"];

/** JSON pointers to every sub-schema that says nothing about its value. */
function emptySchemas(schema: unknown, at = "#"): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const here = SHAPE_KEYWORDS.some((keyword) => keyword in node) ? [] : [at];
  const children: [string, unknown][] = [
    ...Object.entries((node.properties as Record<string, unknown> | undefined) ?? {}).map(
      ([name, value]) => [`${at}/properties/${name}`, value] as [string, unknown],
    ),
    ...(node.items === undefined ? [] : [[`${at}/items`, node.items] as [string, unknown]]),
    ...["anyOf", "oneOf", "allOf"].flatMap((keyword) =>
      ((node[keyword] as unknown[] | undefined) ?? []).map(
        (value, index) => [`${at}/${keyword}/${index}`, value] as [string, unknown],
      ),
    ),
  ];
  return [...here, ...children.flatMap(([pointer, value]) => emptySchemas(value, pointer))];
}

const procedures = proceduresOf(appRouter);

describe("every procedure's output is documented from its .output() schema", () => {
  it("walks a non-empty router", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(14);
  });

  it.each(procedures.map(([path, procedure]) => [path, procedure] as const))(
    "%s declares .output() and documents a complete schema",
    (path, procedure) => {
      expect((procedure._def as { output?: unknown }).output, `${path} declares no .output()`).toBeDefined();
      const output = documentedOutput(path);
      expect(output, path).toBeDefined();
      expect(Object.keys(output ?? {}), path).not.toEqual([]);
      expect(emptySchemas(output), `${path}: parts of the answer documented as anything`).toEqual([]);
    },
  );

  it("documents a Date as the ISO 8601 string superjson sends, nullable where the column is", () => {
    const note = documentedOutput("notes.create") as { properties: Record<string, JsonSchema> };
    expect(note.properties.createdAt).toMatchObject({ type: "string", format: "date-time" });
    const key = documentedOutput("apiKeys.create") as { properties: Record<string, JsonSchema> };
    expect(key.properties.expiresAt).toMatchObject({
      anyOf: [{ type: "string", format: "date-time" }, { type: "null" }],
    });
  });

  it("documents no field the answer does not have (tRPC strips what the schema does not list)", () => {
    const key = documentedOutput("apiKeys.list") as { items: { additionalProperties: unknown; properties: object } };
    expect(key.items.additionalProperties).toBe(false);
    expect(Object.keys(key.items.properties)).not.toContain("keyHash");
  });
});
