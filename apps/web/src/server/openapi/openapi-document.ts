/**
 * The OpenAPI 3.1 document of an app router plus the plain HTTP endpoints, generated from
 * code (never written by hand): procedures from the router, requirements from `meta.auth`,
 * scopes and their descriptions from the registry. Pure: no request, no env, no database, so
 * the route handler, the CLI and tests build the same document.
 */
import type { AnyRouter } from "@trpc/server";
import { httpEndpointPaths } from "./http-endpoints";
import type { OpenApiDocument } from "./openapi-types";
import { procedurePaths } from "./procedure-operations";
import { securitySchemes } from "./security";
import { WIRE_RESPONSES, WIRE_SCHEMAS } from "./trpc-wire";

export interface OpenApiDocumentOptions {
  router: AnyRouter;
  /** The app's issuer; the server URL and the OAuth `tokenUrl` derive from it. */
  issuer: string;
  sessionCookieName: string;
  /** Every registry scope → what it allows. */
  scopes: Readonly<Record<string, string>>;
  /** The app's version. Default `"0.0.0"`. */
  version?: string;
}

const DESCRIPTION = `Every tRPC procedure of the app, called over tRPC's own HTTP wire, and the OAuth 2.0 endpoints.
Each operation says who may call it and with which scopes — generated from the same \`meta.auth\` the middleware enforces.
Authorize with an API key (\`X-API-Key\`), a bearer token, or the OAuth 2.0 password flow. What each scope allows: [/scopes](/scopes).`;

export function buildOpenApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const paths = { ...procedurePaths(options.router), ...httpEndpointPaths() };
  const procedureTags = new Set(
    Object.values(paths).flatMap((item) => Object.values(item).flatMap((operation) => operation.tags)),
  );
  procedureTags.delete("oauth");
  procedureTags.delete("operations");
  return {
    openapi: "3.1.1",
    info: { title: "Gatehouse API", version: options.version ?? "0.0.0", description: DESCRIPTION },
    servers: [{ url: new URL(options.issuer).origin }],
    tags: [
      ...[...procedureTags].map((name) => ({ name, description: `tRPC procedures under \`${name}.\`` })),
      { name: "oauth", description: "OAuth 2.0: token, revocation, introspection, keys and discovery." },
      { name: "operations", description: "For load balancers and monitors." },
    ],
    paths,
    components: {
      securitySchemes: securitySchemes(options),
      schemas: WIRE_SCHEMAS,
      responses: { ...WIRE_RESPONSES },
    },
  };
}
