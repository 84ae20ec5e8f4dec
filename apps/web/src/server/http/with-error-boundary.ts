/**
 * Wraps a route handler so that whatever escapes it is still a clean answer: a database that
 * is down is a 503 problem with `Retry-After`; anything else is a 500 problem with a fixed
 * message and a request id, logged (without SQL parameters) under the same id. Next's own
 * answer to a thrown error is an HTML page, which an API client cannot use.
 *
 * It is also where a route's request id is set (from the `X-Request-Id` the proxy forwards):
 * every log line the handler writes carries it, and every problem body it answers gets it as
 * `instance` (RFC 9457 §3.1.5), including those built by `@gatehouse/auth`, which knows
 * nothing of requests.
 */
import { databaseUnavailable } from "../database-unavailable";
import { internalErrorProblem, logInternalError } from "../internal-error";
import { problemInstance, REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "../log/request-context";
import { withRequestHeaders } from "../request-headers";

export function withErrorBoundary<Args extends unknown[]>(
  where: string,
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args) => {
    // Next passes the request first even to handlers declared without parameters.
    const request = (args as unknown[])[0];
    const requestId = request instanceof Request ? requestIdFrom(request.headers) : crypto.randomUUID();
    return withRequestId(requestId, async () => {
      let response: Response;
      try {
        // Security events recorded deep below (a revoked key presented) say where the request came from.
        response = await (request instanceof Request
          ? withRequestHeaders(request.headers, () => handler(...args))
          : handler(...args));
      } catch (error) {
        const unavailable = databaseUnavailable(error);
        response = unavailable ? unavailable.toResponse() : internalErrorResponse(logInternalError(where, error));
      }
      return withRequestIdOn(response, requestId);
    });
  };
}

export function internalErrorResponse(requestId: string): Response {
  return Response.json(internalErrorProblem(requestId), {
    status: 500,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
  });
}

/** The response with `X-Request-Id`, and `instance` in its problem body when it has one and lacks it. */
async function withRequestIdOn(response: Response, requestId: string): Promise<Response> {
  const isProblem = response.headers.get("content-type")?.startsWith("application/problem+json") ?? false;
  if (!isProblem) {
    try {
      response.headers.set(REQUEST_ID_HEADER, requestId);
    } catch {
      // Immutable headers (a fetched response passed through): the proxy sets the header anyway.
    }
    return response;
  }
  const body: unknown = await response.json().catch(() => null);
  const problem =
    typeof body === "object" && body !== null && !("instance" in body)
      ? { ...body, instance: problemInstance(requestId) }
      : body;
  const headers = new Headers(response.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  headers.delete("content-length");
  return new Response(JSON.stringify(problem), { status: response.status, statusText: response.statusText, headers });
}
