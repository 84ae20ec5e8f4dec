/**
 * A request body read whole, up to a limit, trusting neither `Content-Length` nor its absence:
 * a declared size over the limit is refused before reading, and a stream that runs past it is
 * cancelled there. For handlers that must bound what they buffer (the token endpoint; the
 * app's tRPC route, whose fetch adapter has no limit of its own).
 */

/**
 * The body's bytes (empty when there is none), or `null` when it is larger than `maxBytes`.
 * Takes a `Request` or a `Response` (a remote issuer's JWKS is bounded the same way).
 */
export async function readBody(
  request: Pick<Request, "headers" | "body">,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
