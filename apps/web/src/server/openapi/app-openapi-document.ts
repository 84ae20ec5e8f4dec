/** This app's document: the app router, the configured issuer, the scope registry. */
import { env } from "~/env";
import { appRouter } from "../routers/_app";
import { scopeDescriptions } from "../scopes";
import { sessionCookieName } from "../session-cookies";
import { buildOpenApiDocument } from "./openapi-document";
import type { OpenApiDocument } from "./openapi-types";

export function appOpenApiDocument(): OpenApiDocument {
  return buildOpenApiDocument({
    router: appRouter,
    issuer: env().issuer,
    sessionCookieName: sessionCookieName(),
    scopes: scopeDescriptions,
  });
}
