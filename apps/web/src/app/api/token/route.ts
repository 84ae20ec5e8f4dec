import { getAuth } from "~/server/auth";
import { withErrorBoundary } from "~/server/http/with-error-boundary";

export const dynamic = "force-dynamic";

/** OAuth 2.0 token endpoint; every other method gets the endpoint's 405. */
async function handler(request: Request): Promise<Response> {
  return (await getAuth()).tokenEndpoint(request);
}

// The endpoint answers its own errors (RFC 6749 §5.2); the boundary catches what escapes it (key loading).
const guarded = withErrorBoundary("token route", handler);

export { guarded as DELETE, guarded as GET, guarded as PATCH, guarded as POST, guarded as PUT };
