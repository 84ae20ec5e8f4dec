/**
 * The claim checks jose's `jwtVerify` applies (jose 6 `lib/jwt_claims_set.ts`), rewritten so
 * the verify path needs no promise: the same order, comparisons and tolerances, and the same
 * fixed details we gave jose's errors. `claims-check.test.ts` runs both on random tokens.
 */
import type { JWTPayload } from "jose";
import { Unauthorized } from "../errors";
import type { TokenHeader } from "./compact-jws";

export interface ClaimsCheckOptions {
  issuer: string;
  /** Accepted audiences (any of); `null` skips the check. */
  audience: readonly string[] | null;
  /** Seconds of leeway for `exp`/`nbf`. */
  clockTolerance: number;
  /** Claims that must be present (always including `exp`). */
  requiredClaims: readonly string[];
  /** Expected `typ` header, compared as a media type (case-insensitive, `application/` implied). */
  typ: string | undefined;
}

/** Checks a verified payload's text against the options; returns the claims or throws `Unauthorized`. */
export type ClaimsCheck = (header: TokenHeader, payloadText: string | null, nowMs: number) => JWTPayload;

const refuse = (detail: string) => new Unauthorized(detail);

export function createClaimsCheck(options: ClaimsCheckOptions): ClaimsCheck {
  const { issuer, audience, clockTolerance: tolerance } = options;
  const typ = options.typ === undefined ? undefined : normalizeTyp(options.typ);
  // jose checks presence of required claims, then aud, then iss, last added first.
  const presence = [...new Set([...options.requiredClaims, ...(audience === null ? [] : ["aud"]), "iss"].reverse())];

  return (header, payloadText, nowMs) => {
    const claims = parseObject(payloadText);
    if (typ !== undefined && (typeof header.typ !== "string" || normalizeTyp(header.typ) !== typ)) {
      throw refuse("Token type is not accepted");
    }
    for (const claim of presence) {
      if (!Object.hasOwn(claims, claim)) throw refuse(`Token is missing required claim: ${claim}`);
    }
    if (claims.iss !== issuer) throw refuse("Token issuer is not accepted");
    if (audience !== null && !audienceMatches(claims.aud, audience)) throw refuse("Token audience is not accepted");
    const now = Math.floor(nowMs / 1000);
    if (claims.iat !== undefined && typeof claims.iat !== "number") throw refuse("Token claim iat is invalid");
    if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf > now + tolerance)) {
      throw refuse("Token is not yet valid");
    }
    if (claims.exp !== undefined) {
      if (typeof claims.exp !== "number") throw refuse("Token claim exp is invalid");
      if (claims.exp <= now - tolerance) throw refuse("Token has expired");
    }
    return claims;
  };
}

function parseObject(text: string | null): JWTPayload {
  let value: unknown;
  try {
    value = text === null ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw refuse("Token payload is not a JSON object");
  }
  return value as JWTPayload;
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === "string") return accepted.includes(aud);
  if (Array.isArray(aud)) return accepted.some((one) => aud.includes(one));
  return false;
}

/** RFC 7515 §4.1.9: `typ` is a media type; `at+jwt` means `application/at+jwt`. */
function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return value.includes("/") ? lower : `application/${lower}`;
}
