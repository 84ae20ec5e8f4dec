/**
 * Wraps a route handler so that whatever escapes it is still a clean answer: a database that
 * is down is a 503 problem with `Retry-After`; anything else is a 500 problem with a fixed
 * message and a request id, logged (without SQL parameters) under the same id. Next's own
 * answer to a thrown error is an HTML page, which an API client cannot use.
 */
import { databaseUnavailable } from "../database-unavailable";
import { internalErrorProblem, logInternalError } from "../internal-error";
import { withRequestHeaders } from "../request-headers";

export function withErrorBoundary<Args extends unknown[]>(
  where: string,
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args) => {
    try {
      // Security events recorded deep below (a revoked key presented) say where the request came from.
      const [request] = args;
      return await (request instanceof Request
        ? withRequestHeaders(request.headers, () => handler(...args))
        : handler(...args));
    } catch (error) {
      const unavailable = databaseUnavailable(error);
      if (unavailable) return unavailable.toResponse();
      return internalErrorResponse(logInternalError(where, error));
    }
  };
}

export function internalErrorResponse(requestId: string): Response {
  return Response.json(internalErrorProblem(requestId), {
    status: 500,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
  });
}
