/**
 * Schemes say where a credential comes from. A scheme returns the raw credential, `null`
 * when its credential is absent (so the next scheme may look), or throws `Unauthorized`
 * when a credential of its kind is present but malformed (never a silent fall-through).
 */
import { escapeQuoted, Unauthorized } from "./errors";

export interface ChallengeParams {
  error?: string;
  errorDescription?: string;
}

export interface Scheme {
  /** Short name for logs and docs: "bearer", "api-key", "cookie", or a custom one. */
  readonly name: string;
  extract(headers: Headers): string | null | Promise<string | null>;
  /** The `WWW-Authenticate` challenge this scheme answers with; `null` for none (cookies). */
  challenge(params?: ChallengeParams): string | null;
}

/** Anything that carries headers: a `Request`, a `Headers`, or `{ headers }`. */
export type HeaderSource = Headers | { headers: Headers };

export function headersOf(source: HeaderSource): Headers {
  return source instanceof Headers ? source : source.headers;
}

export interface BearerOptions {
  /** `realm` in the challenge. Default: "gatehouse". */
  realm?: string;
  /**
   * Accept only tokens for which this returns true; others are left to later schemes
   * (an API key sent as `Bearer gk_…` goes to the key verifier). Default: accept all.
   */
  accepts?: (token: string) => boolean;
}

// RFC 6750 §2.1 b64token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// Large enough for any sane JWT, small enough that nothing parses a megabyte of junk.
const MAX_CREDENTIAL_LENGTH = 16 * 1024;

/**
 * `Authorization: Bearer <token>` (RFC 6750). The scheme name is case-insensitive; an
 * empty token, a token with spaces or two `Authorization` headers (joined by `, `) is a 401.
 * Tokens in the query string are never read.
 */
export function bearer(options: BearerOptions = {}): Scheme {
  const realm = options.realm ?? "gatehouse";
  const accepts = options.accepts;
  return {
    name: "bearer",
    extract(headers) {
      const value = headers.get("authorization");
      if (value === null) return null;
      const match = /^bearer(?:[ \t]+(.*))?$/is.exec(value.trim());
      if (!match) {
        // Two Authorization headers arrive joined by ", ": a Bearer token behind another
        // credential must not be skipped silently.
        if (/,[ \t]*bearer(?:[ \t]|$)/i.test(value))
          throw malformed("Authorization header must carry exactly one credential");
        return null; // Another scheme (Basic, …): not ours to judge.
      }
      const token = match[1]?.trim() ?? "";
      if (token === "") throw malformed("Bearer token is empty");
      if (token.length > MAX_CREDENTIAL_LENGTH) throw malformed("Bearer token is too long");
      if (!B64TOKEN.test(token)) throw malformed("Authorization header must carry exactly one bearer token");
      if (accepts && !accepts(token)) return null;
      return token;
    },
    challenge(params = {}) {
      return challenge("Bearer", { realm, error: params.error, error_description: params.errorDescription });
    },
  };
}

export interface ApiKeyHeaderOptions {
  /** Header name. Default: "X-API-Key". */
  name?: string;
  realm?: string;
}

/** An API key in a header (default `X-API-Key`). Empty or oversized values are a 401. */
export function apiKeyHeader(options: ApiKeyHeaderOptions | string = {}): Scheme {
  const { name = "X-API-Key", realm = "gatehouse" } = typeof options === "string" ? { name: options } : options;
  return {
    name: "api-key",
    extract(headers) {
      const value = headers.get(name);
      if (value === null) return null;
      const key = value.trim();
      if (key === "" || key.length > MAX_CREDENTIAL_LENGTH || /[\s,]/.test(key)) {
        throw malformed(`${name} header must carry exactly one key`);
      }
      return key;
    },
    challenge(params = {}) {
      return challenge("ApiKey", { realm, header: name, error: params.error });
    },
  };
}

/**
 * A credential in a cookie (browser sessions). An empty cookie counts as absent. Two cookies
 * of this name are a 401: a sibling subdomain can toss its own cookie beside ours, and the
 * browser sends both with no way to tell which is ours (RFC 6265bis §8.6, weak integrity),
 * so the raw header is read in full rather than through a map that keeps one.
 */
export function cookie(name: string): Scheme {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new TypeError(`Invalid cookie name: ${name}`);
  return {
    name: "cookie",
    extract(headers) {
      const header = headers.get("cookie");
      if (!header) return null;
      // `;` between pairs; `,` where two Cookie header lines were joined (never inside a cookie-octet).
      const values = header
        .split(/[;,]/)
        .filter((part) => part.slice(0, part.indexOf("=")).trim() === name && part.includes("="))
        .map((part) => part.slice(part.indexOf("=") + 1).trim());
      if (values.length > 1) throw malformed("Request carries more than one session cookie");
      const value = values[0];
      if (value === undefined || value === "") return null;
      if (value.length > MAX_CREDENTIAL_LENGTH) throw malformed("Session cookie is too long");
      return value;
    },
    challenge: () => null,
  };
}

/** Wraps a function as a scheme; it may be async. Its challenge defaults to none. */
export function customScheme(
  name: string,
  extract: (headers: Headers) => string | null | Promise<string | null>,
  challengeFor: Scheme["challenge"] = () => null,
): Scheme {
  return { name, extract, challenge: challengeFor };
}

function malformed(detail: string): Unauthorized {
  return new Unauthorized(detail, { code: "invalid_request" });
}

/** Builds `Scheme k="v", …`, skipping undefined parameters and escaping values. */
export function challenge(scheme: string, params: Record<string, string | undefined>): string {
  const rendered = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${escapeQuoted(value)}"`);
  return rendered.length ? `${scheme} ${rendered.join(", ")}` : scheme;
}
