/**
 * The security headers on every page and API answer, built in one place (src/proxy.ts sets
 * them). Pages get a CSP whose scripts run only with this request's nonce; API answers are
 * data, so their CSP allows nothing at all.
 */

export interface SecurityHeaderOptions {
  /** The page's nonce; absent for API answers (JSON, problem bodies, JWKS). */
  nonce?: string;
  /** `next dev`: React Refresh evaluates strings, so `'unsafe-eval'` — never in a build. */
  development: boolean;
  /** HSTS only where the site is served over https. */
  production: boolean;
}

/** One year; no `preload`, which is a decision for the operator of the domain, not a template. */
const HSTS = "max-age=31536000; includeSubDomains";

/** A fresh nonce per request: 128 random bits, base64 (CSP3 `nonce-source`). */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export function pageContentSecurityPolicy(nonce: string, development: boolean): string {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(nonce)) throw new TypeError("A CSP nonce must be base64");
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts Next loads from a nonce'd script run too; no 'unsafe-inline',
    // so an injected <script> or on* attribute does not (CSP3 §6.7.3).
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // The dev overlay injects <style> elements without our nonce; a build needs none.
    `style-src 'self'${development ? " 'unsafe-inline'" : ` 'nonce-${nonce}'`}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** API answers render nothing and may be framed by nobody. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "content-security-policy":
      options.nonce === undefined
        ? API_CONTENT_SECURITY_POLICY
        : pageContentSecurityPolicy(options.nonce, options.development),
    // Browsers without frame-ancestors (clickjacking).
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    // `same-origin`, not `no-referrer`: with no-referrer a browser sends `Origin: null` on our own
    // form posts (Fetch, "append a request `Origin` header"), which the CSRF guard refuses.
    "referrer-policy": "same-origin",
    ...(options.production ? { "strict-transport-security": HSTS } : {}),
  };
}
