import { problemResponse } from "./problem-response";

/**
 * The fetch adapter of tRPC has no body limit: read at most `maxBytes` ourselves and answer
 * 413 with a problem body past that, before anything parses it.
 */
export async function withBodyLimit(request: Request, maxBytes: number): Promise<Request | Response> {
  if (!request.body) return request;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(maxBytes);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: Buffer.concat(chunks),
    signal: request.signal,
  });
}

function tooLarge(maxBytes: number): Response {
  return problemResponse(413, "Payload Too Large", `Request body exceeds ${maxBytes} bytes`);
}
