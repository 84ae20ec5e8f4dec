import { ServiceUnavailable } from "@gatehouse/auth/errors";
import { getDatabase } from "~/server/db";
import { withErrorBoundary } from "~/server/http/with-error-boundary";

export const dynamic = "force-dynamic";

/** Liveness and readiness: 200 when the database answers, 503 with a problem body when not. */
export const GET = withErrorBoundary("health route", async (): Promise<Response> => {
  try {
    const database = await getDatabase();
    await database.ping();
    return Response.json({ status: "ok", database: database.kind }, { headers: { "cache-control": "no-store" } });
  } catch (cause) {
    return new ServiceUnavailable("The database is not reachable", { cause }).toResponse();
  }
});
