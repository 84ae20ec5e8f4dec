/**
 * The app's one mapping from "the database is not there right now" to an answer: a 503 with
 * `Retry-After`, never a 500 with the SQL in it. Which errors count is decided once, in
 * `@gatehouse/db/errors` (refused, reset, timed out, shutting down, starting up…); the tRPC
 * boundary, `ctx.user()` and the route handlers all ask here.
 */
import { ServiceUnavailable } from "@gatehouse/auth/errors";
import { isDatabaseUnavailable } from "@gatehouse/db/errors";

/** A 503 for a connection-level database error, or `null` for anything else (a bug: 500). */
export function databaseUnavailable(error: unknown): ServiceUnavailable | null {
  return isDatabaseUnavailable(error)
    ? new ServiceUnavailable("The database is temporarily unavailable", { cause: error })
    : null;
}
