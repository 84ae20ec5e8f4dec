import { publicJwks } from "@gatehouse/auth/jwt";
import { getAuth } from "~/server/auth";
import { withErrorBoundary } from "~/server/http/with-error-boundary";

export const dynamic = "force-dynamic";

/** The public signing keys (never a private or symmetric one), for anyone verifying our tokens. */
export const GET = withErrorBoundary("JWKS route", async (): Promise<Response> => {
  const { keySet } = await getAuth();
  return Response.json(publicJwks(keySet), { headers: { "cache-control": "public, max-age=300" } });
});
