/**
 * Auth errors as RFC 9457 problem details. Each carries a stable `code` to switch on,
 * the HTTP `status`, a human `detail` that never repeats the credential, the headers
 * the answer needs (`WWW-Authenticate`), and the library error as `cause`.
 */

export type AuthErrorCode =
  | "invalid_request"
  | "invalid_token"
  | "insufficient_scope"
  | "invalid_scope"
  | "issuer_unavailable"
  | "service_unavailable";

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: AuthErrorCode;
  /**
   * RFC 9457 §3.1.5: this occurrence (the app puts its request id here). This package knows
   * nothing of requests: `toProblem()` leaves it out and the app's boundary adds it.
   */
  instance?: string;
}

export interface AuthErrorOptions {
  code?: AuthErrorCode;
  headers?: Record<string, string>;
  cause?: unknown;
}

// A global symbol, not `instanceof`: bundlers may load this module twice (Next.js server
// layers), and an error made by one copy must still be recognised by the other.
const AUTH_ERROR_BRAND = Symbol.for("@gatehouse/auth/AuthError");

export abstract class AuthError extends Error {
  readonly [AUTH_ERROR_BRAND] = true;
  abstract readonly status: number;
  abstract readonly title: string;
  readonly code: AuthErrorCode;
  readonly detail: string;
  readonly headers: Record<string, string>;

  constructor(detail: string, defaultCode: AuthErrorCode, options: AuthErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.detail = detail;
    this.code = options.code ?? defaultCode;
    this.headers = { ...options.headers };
  }

  toProblem(): ProblemDetails {
    return { type: "about:blank", title: this.title, status: this.status, detail: this.detail, code: this.code };
  }

  /** The problem as a standard `Response` (problem+json, no caching, the error's headers). */
  toResponse(): Response {
    return new Response(JSON.stringify(this.toProblem()), {
      status: this.status,
      headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...this.headers },
    });
  }
}

/** 401: the credential is missing, malformed, expired or not ours. */
export class Unauthorized extends AuthError {
  readonly status = 401;
  readonly title = "Unauthorized";
  constructor(detail = "Authentication required", options: AuthErrorOptions = {}) {
    super(detail, "invalid_token", options);
  }

  /** The same error with `WWW-Authenticate` set (schemes add their challenge). */
  withChallenge(challenge: string): Unauthorized {
    const copy = new Unauthorized(this.detail, { code: this.code, cause: this.cause, headers: this.headers });
    copy.headers["www-authenticate"] = challenge;
    return copy;
  }
}

/** 403: the credential is good but lacks what the operation needs. */
export class Forbidden extends AuthError {
  readonly status = 403;
  readonly title = "Forbidden";
  constructor(detail = "Forbidden", options: AuthErrorOptions = {}) {
    super(detail, "insufficient_scope", options);
  }

  static missingScope(scope: string): Forbidden {
    return new Forbidden(`Token is missing required scope: ${scope}`, {
      headers: { "www-authenticate": `Bearer error="insufficient_scope", scope="${escapeQuoted(scope)}"` },
    });
  }
}

/** 503: something we depend on to decide (an external issuer, the database) did not answer. */
export class ServiceUnavailable extends AuthError {
  readonly status = 503;
  readonly title = "Service Unavailable";
  constructor(detail = "Authentication is temporarily unavailable", options: AuthErrorOptions = {}) {
    super(detail, "service_unavailable", { ...options, headers: { "retry-after": "5", ...options.headers } });
  }
}

/** True for any AuthError, even one made by another copy of this module. */
export function isAuthError(error: unknown): error is AuthError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[AUTH_ERROR_BRAND] === true;
}

/** Escapes a value for a quoted-string in an HTTP auth parameter (RFC 9110 §5.6.4). */
export function escapeQuoted(value: string): string {
  // Header values must be visible ASCII: anything else (CR/LF injection, non-Latin text that
  // makes `new Headers()` throw) becomes "?" or a space.
  return value
    .replace(/[\\"]/g, "\\$&")
    .replace(/[\r\n\t]/g, " ")
    .replace(/[^\x20-\x7e]/g, "?");
}
