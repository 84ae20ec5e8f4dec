/** An RFC 9457 problem answer for errors that are not auth errors (those have `toResponse()`). */
export function problemResponse(status: number, title: string, detail: string): Response {
  return Response.json(
    { type: "about:blank", title, status, detail },
    { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } },
  );
}
