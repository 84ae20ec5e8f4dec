import { getAuth } from "~/server/auth";

export const dynamic = "force-dynamic";

/** OAuth 2.0 token endpoint; every other method gets the endpoint's 405. */
async function handler(request: Request): Promise<Response> {
  return (await getAuth()).tokenEndpoint(request);
}

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };
