import { currentRequestId, problemInstance } from "../log/request-context";

/**
 * An RFC 9457 problem answer for errors that are not auth errors (those have `toResponse()`),
 * with the current request's id as `instance` when there is one.
 */
export function problemResponse(status: number, title: string, detail: string): Response {
  const requestId = currentRequestId();
  return Response.json(
    { type: "about:blank", title, status, detail, ...(requestId ? { instance: problemInstance(requestId) } : {}) },
    { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } },
  );
}
