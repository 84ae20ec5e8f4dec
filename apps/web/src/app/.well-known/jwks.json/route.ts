import { publicJwks } from "@gatehouse/auth/jwt";
import { getAuth } from "~/server/auth";

export const dynamic = "force-dynamic";

/** The public signing keys (never a private or symmetric one), for anyone verifying our tokens. */
export async function GET(): Promise<Response> {
  const { keySet } = await getAuth();
  return Response.json(publicJwks(keySet), { headers: { "cache-control": "public, max-age=300" } });
}
