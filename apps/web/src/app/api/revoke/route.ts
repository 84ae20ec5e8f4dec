import { getAuth } from "~/server/auth";
import { withErrorBoundary } from "~/server/http/with-error-boundary";

export const dynamic = "force-dynamic";

/** RFC 7009 token revocation; every other method gets the endpoint's 405. */
async function handler(request: Request): Promise<Response> {
  return (await getAuth()).revocationEndpoint(request);
}

// The endpoint answers its own errors (RFC 7009 §2.2.1); the boundary catches what escapes it (key loading).
const guarded = withErrorBoundary("revoke route", handler);

export { guarded as DELETE, guarded as GET, guarded as PATCH, guarded as POST, guarded as PUT };
