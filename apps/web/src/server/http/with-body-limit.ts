import { readBody } from "@gatehouse/auth/read-body";
import { problemResponse } from "./problem-response";

/**
 * The fetch adapter of tRPC has no body limit: read at most `maxBytes` ourselves and answer
 * 413 with a problem body past that, before anything parses it.
 */
export async function withBodyLimit(request: Request, maxBytes: number): Promise<Request | Response> {
  if (!request.body) return request;
  const body = await readBody(request, maxBytes);
  if (!body) return problemResponse(413, "Payload Too Large", `Request body exceeds ${maxBytes} bytes`);
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
  });
}
