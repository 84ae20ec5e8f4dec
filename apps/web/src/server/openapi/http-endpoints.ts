/**
 * The plain HTTP endpoints beside tRPC: OAuth 2.0 token, revocation and introspection, the
 * JWKS, discovery and the health check. Their wire is fixed by RFCs (6749, 7009, 7662, 8414,
 * 7517) and by the route handlers in src/app; the shapes are zod schemas like the procedures',
 * so the reference has one way of writing a schema.
 */
import { z } from "zod";
import { toJsonSchema } from "./json-schema";
import type { JsonSchema, Operation, PathItem } from "./openapi-types";
import { SCHEMES } from "./security";

const form = (schema: z.ZodType) => ({
  required: true,
  content: { "application/x-www-form-urlencoded": { schema: toJsonSchema(schema, "input") } },
});
const json = (description: string, schema: z.ZodType | JsonSchema, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema: schema instanceof z.ZodType ? toJsonSchema(schema, "output") : schema } },
});

const scopeParameter = z.string().describe("Space-separated scopes; granted ⊆ requested ∩ held. Omitted: all held.");

const tokenRequest = z.object({
  grant_type: z.enum(["password", "refresh_token", "client_credentials"]),
  username: z.string().describe("password grant: the account's email").optional(),
  password: z.string().describe("password grant").optional(),
  refresh_token: z.string().describe("refresh_token grant: rotated, single use").optional(),
  client_id: z.string().describe("client_credentials: the API key's id (or HTTP Basic)").optional(),
  client_secret: z.string().describe("client_credentials: the API key (or HTTP Basic)").optional(),
  scope: scopeParameter.optional(),
});

const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().describe("Seconds; equals the token's exp − iat."),
  refresh_token: z.string().describe("password and refresh_token grants only").optional(),
  scope: z.string(),
});

const oauthError = z.object({
  error: z.string().describe("RFC 6749 §5.2 code: invalid_request, invalid_grant, invalid_client, invalid_scope, …"),
  error_description: z.string().optional(),
});

const introspection = z.object({
  active: z.boolean(),
  token_type: z.enum(["Bearer", "refresh_token", "api_key"]).optional(),
  scope: z.string().optional(),
  sub: z.string().optional(),
  client_id: z.string().optional(),
  exp: z.number().int().optional(),
  iat: z.number().int().optional(),
});

const noStore = { "Cache-Control": { schema: { type: "string", const: "no-store" } } };
const oauthErrors = {
  400: json("Bad request, grant or scope (RFC 6749 §5.2). A JSON body is refused.", oauthError, noStore),
  401: json("Client authentication failed through HTTP Basic (`WWW-Authenticate: Basic`).", oauthError, noStore),
  429: json("Too many tries for this account or address; see `Retry-After`.", oauthError, noStore),
  503: json("Temporarily unavailable (the database); retry later.", oauthError, noStore),
};

function endpoint(operation: Omit<Operation, "tags">): Operation {
  return { tags: ["oauth"], ...operation };
}

export function httpEndpointPaths(): Record<string, PathItem> {
  return {
    "/api/token": {
      post: endpoint({
        operationId: "token",
        summary: "OAuth 2.0 token endpoint",
        description:
          "Form body only (`application/x-www-form-urlencoded`); a repeated parameter is `invalid_request`. `password` answers an access and a refresh token, `refresh_token` rotates it, `client_credentials` answers an access token only.",
        security: [{}, { [SCHEMES.client]: [] }],
        requestBody: form(tokenRequest),
        responses: { 200: json("Tokens.", tokenResponse, noStore), ...oauthErrors },
      }),
    },
    "/api/revoke": {
      post: endpoint({
        operationId: "revoke",
        summary: "Revoke a token (RFC 7009)",
        description:
          "Presenting the token is the proof: no client authentication. A refresh token revokes its whole sign-in; an API key itself and every key it minted. Unknown or already revoked: 200 all the same.",
        security: [],
        requestBody: form(
          z.object({
            token: z.string(),
            token_type_hint: z.enum(["access_token", "refresh_token"]).describe("A hint only").optional(),
          }),
        ),
        responses: {
          200: { description: "Revoked, or nothing to revoke." },
          400: oauthErrors[400],
          503: oauthErrors[503],
        },
      }),
    },
    "/api/introspect": {
      post: endpoint({
        operationId: "introspect",
        summary: "Introspect a token (RFC 7662)",
        description:
          "For resource servers: client authentication as at /api/token (an API key's id and key, HTTP Basic or form) with a key holding `tokens:introspect`. Anything the verifiers refuse is `{ active: false }` only.",
        security: [{ [SCHEMES.client]: ["tokens:introspect"] }],
        requestBody: form(z.object({ token: z.string(), token_type_hint: z.string().optional() })),
        responses: {
          200: json("The token's state.", introspection, noStore),
          400: oauthErrors[400],
          401: json("Missing or wrong client credentials (`invalid_client`).", oauthError, noStore),
          403: json("The client's key lacks `tokens:introspect` (`insufficient_scope`).", oauthError, noStore),
          503: oauthErrors[503],
        },
      }),
    },
    "/.well-known/jwks.json": {
      get: endpoint({
        operationId: "jwks",
        summary: "Public signing keys (JWKS)",
        description: "Public keys only, each with a unique `kid`; cacheable for five minutes.",
        security: [],
        responses: {
          200: json(
            "The key set.",
            z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string() })) }),
          ),
        },
      }),
    },
    "/.well-known/openid-configuration": {
      get: endpoint({
        operationId: "discovery",
        summary: "Authorization server metadata (OIDC discovery)",
        description: "Names only what exists: no authorization endpoint, no ID tokens.",
        security: [],
        responses: {
          200: json(
            "Metadata.",
            z.looseObject({
              issuer: z.string(),
              jwks_uri: z.string(),
              token_endpoint: z.string(),
              revocation_endpoint: z.string(),
              introspection_endpoint: z.string(),
              grant_types_supported: z.array(z.string()),
              scopes_supported: z.array(z.string()),
            }),
          ),
        },
      }),
    },
    "/api/health": {
      get: {
        operationId: "health",
        summary: "Health check",
        description: "200 when the database answers, 503 problem otherwise.",
        tags: ["operations"],
        security: [],
        responses: {
          200: json("Healthy.", z.object({ status: z.literal("ok") })),
          503: json("The database does not answer.", { $ref: "#/components/schemas/Problem" }),
        },
      },
    },
  };
}
