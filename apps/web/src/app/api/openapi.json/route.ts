import { withErrorBoundary } from "~/server/http/with-error-boundary";
import { appOpenApiDocument } from "~/server/openapi/app-openapi-document";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document (what /docs renders, and what client generators read). */
export const GET = withErrorBoundary(
  "openapi route",
  async (): Promise<Response> =>
    Response.json(appOpenApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
);
