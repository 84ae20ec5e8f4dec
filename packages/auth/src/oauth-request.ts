/**
 * What the OAuth endpoints (token, revocation, introspection) share: the wire rules of
 * DESIGN.md "Wire contract" — POST with an `application/x-www-form-urlencoded` body only (a
 * JSON body is `invalid_request`), a body cap, each parameter at most once (RFC 6749 §3.2),
 * client credentials by HTTP Basic or the form (§2.3.1), errors as `{ error,
 * error_description }` (§5.2) that never repeat a submitted value, `Cache-Control: no-store`.
 */
import { readBody } from "./read-body";

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "invalid_scope"
  | "insufficient_scope"
  | "unsupported_grant_type"
  | "temporarily_unavailable";

const FORM = "application/x-www-form-urlencoded";
// Stateless between calls (no `stream` option), so one instance serves every request.
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A refusal, rendered as RFC 6749 §5.2 JSON. `description` is static text, never input. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export interface ClientCredentials {
  id: string;
  secret: string;
  /** Came in an `Authorization: Basic` header: a refusal is then a 401 with a challenge (§5.2). */
  viaBasic: boolean;
}

/** POST only (else 405), form-encoded only (else 400: a JSON body is refused whatever it holds). */
export function requireForm(request: Request, endpoint: string): void {
  if (request.method !== "POST") {
    throw new OAuthError(405, "invalid_request", `The ${endpoint} endpoint accepts only POST`, { allow: "POST" });
  }
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== FORM) {
    throw new OAuthError(400, "invalid_request", "The body must be application/x-www-form-urlencoded");
  }
}

/** Renders a refusal; anything else is the caller's (a port threw). */
export function errorResponse(error: OAuthError): Response {
  return json(error.status, { error: error.error, error_description: error.description }, error.headers);
}

/**
 * A port threw (database down, key store gone): 503 `temporarily_unavailable`, which the client
 * may retry. The cause goes to `onError` (logs) only; what it returns, if a string, is sent as
 * `request_id` so a user can quote it.
 */
export function unavailableResponse(error: unknown, onError?: (error: unknown) => unknown): Response {
  let requestId: unknown;
  try {
    requestId = onError?.(error);
  } catch {
    // A failing logger must not turn the 503 into a 500.
  }
  return json(
    503,
    {
      error: "temporarily_unavailable",
      error_description: "The service is temporarily unavailable",
      ...(typeof requestId === "string" ? { request_id: requestId } : {}),
    },
    { "retry-after": "5" },
  );
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json;charset=UTF-8",
      // RFC 6749 §5.1: tokens and errors alike must not be cached.
      "cache-control": "no-store",
      pragma: "no-cache",
      ...headers,
    },
  });
}

/** The form body as text: at most `max` bytes (else 413), valid UTF-8 (else 400). */
export async function readForm(request: Request, max: number): Promise<string> {
  const bytes = await readBody(request, max);
  if (!bytes) throw new OAuthError(413, "invalid_request", "The request body is too large");
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new OAuthError(400, "invalid_request", "The request body is not valid UTF-8");
  }
}

/**
 * Form parameters, each at most once (RFC 6749 §3.2). A parameter without a value counts
 * as omitted (§3.1), so the map holds only non-empty values.
 */
export function parseForm(body: string, known: ReadonlySet<string>): Map<string, string> {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (seen.has(name)) {
      const shown = known.has(name) ? `: ${name}` : "";
      throw new OAuthError(400, "invalid_request", `A parameter is repeated${shown}`);
    }
    seen.add(name);
    // A NUL cannot be stored in Postgres text: refuse it here (400) rather than fail deeper (503).
    if (name.includes("\0") || value.includes("\0")) {
      throw new OAuthError(400, "invalid_request", "A parameter contains a NUL character");
    }
    if (value !== "") params.set(name, value);
  }
  return params;
}

/**
 * Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1: id and secret each
 * form-urlencoded, then joined by `:` and base64-encoded) or from the form; both at once is
 * `invalid_request` (§2.3). `undefined` when the request carries none.
 */
export function clientCredentials(
  request: Request,
  params: Map<string, string>,
  invalidClient: (viaBasic: boolean, description?: string) => OAuthError,
): ClientCredentials | undefined {
  const header = request.headers.get("authorization");
  const basic = header === null ? null : /^basic(?: +(.*))?$/i.exec(header.trim());
  const formId = params.get("client_id");
  const formSecret = params.get("client_secret");
  if (basic) {
    if (formSecret !== undefined) {
      throw new OAuthError(400, "invalid_request", "Use one client authentication method, not two");
    }
    const decoded = decodeBasic(basic[1] ?? "");
    if (!decoded) throw invalidClient(true, "Malformed Basic credentials");
    if (formId !== undefined && formId !== decoded.id) {
      throw new OAuthError(400, "invalid_request", "client_id differs from the authenticated client");
    }
    return { ...decoded, viaBasic: true };
  }
  if (formSecret === undefined) return undefined;
  if (formId === undefined) throw new OAuthError(400, "invalid_request", "Missing parameter: client_id");
  return { id: formId, secret: formSecret, viaBasic: false };
}

function decodeBasic(token: string): { id: string; secret: string } | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return null;
  let text: string;
  try {
    const binary = atob(token);
    text = UTF8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = text.indexOf(":");
  if (colon <= 0) return null;
  const id = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  return id && secret ? { id, secret } : null;
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}
