/**
 * The few OpenAPI 3.1 shapes the generator writes, kept loose: the document is validated
 * against the official schema in tests (./openapi-document.test.ts), not by these types.
 */

/** A JSON Schema (2020-12), as `z.toJSONSchema` writes it. */
export type JsonSchema = Record<string, unknown>;

/** `{ schemeName: [scopes] }`; an operation's `security` is a list of alternatives. */
export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: SecurityRequirement[];
  parameters?: Record<string, unknown>[];
  requestBody?: Record<string, unknown>;
  responses: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

export type PathItem = Partial<Record<"get" | "post", Operation>>;

export interface OpenApiDocument {
  openapi: "3.1.1";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    securitySchemes: Record<string, Record<string, unknown>>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Record<string, unknown>>;
  };
}
