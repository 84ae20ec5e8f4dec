/**
 * The cheap checks every token passes before any signature work: length, shape, a strict
 * header, no duplicate names. Everything here is refused outright, whatever the key set:
 * each rule closes a known JWT attack (named beside it).
 */
import { Unauthorized } from "../errors";
import { findDuplicateKey } from "./json-duplicate-keys";

export interface TokenHeader {
  readonly alg: string;
  readonly kid: string;
  readonly typ?: string;
  readonly [name: string]: unknown;
}

/** Default cap on a token's length: checked before any decoding (a 100 KB token costs nothing). */
export const DEFAULT_MAX_TOKEN_LENGTH = 16 * 1024;

// Header parameters that name a key by reference or carry one inline. Trusting them lets
// the attacker choose the key (CVE-2018-0114 for `jwk`; `jku`/`x5u` fetch an attacker URL).
const KEY_CARRYING_HEADERS = ["jku", "x5u", "x5c", "jwk"] as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_KID_LENGTH = 256;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function refuse(detail: string, cause?: unknown): Unauthorized {
  return new Unauthorized(detail, cause === undefined ? {} : { cause });
}

/**
 * Checks a compact JWS and returns its protected header. Throws `Unauthorized` for anything
 * else, and only `Unauthorized`. The payload is checked for shape and duplicate names here;
 * jose parses it after the signature.
 */
export function inspectCompactJws(token: string, maxLength: number, algorithms: ReadonlySet<string>): TokenHeader {
  if (typeof token !== "string" || token.length === 0) throw refuse("Token is empty");
  if (token.length > maxLength) throw refuse("Token is too long");
  const firstDot = token.indexOf(".");
  const secondDot = firstDot === -1 ? -1 : token.indexOf(".", firstDot + 1);
  if (secondDot === -1 || token.indexOf(".", secondDot + 1) !== -1) throw refuse("Token is not a signed JWT");
  const encodedHeader = token.slice(0, firstDot);
  const encodedPayload = token.slice(firstDot + 1, secondDot);
  const signature = token.slice(secondDot + 1);
  // A stripped signature ("header.payload.") is the `alg: none` attack by another name.
  if (signature === "") throw refuse("Token has no signature");
  if (!BASE64URL.test(encodedHeader) || !BASE64URL.test(encodedPayload) || !BASE64URL.test(signature)) {
    throw refuse("Token is not valid base64url");
  }

  const header = parseJsonObject(encodedHeader, "header");
  const alg = header.alg;
  if (typeof alg !== "string" || alg === "") throw refuse("Token header has no alg");
  // `none` in any spelling (None, NONE, nOnE) has bitten libraries that compared case-sensitively.
  if (alg.toLowerCase() === "none") throw refuse("Token is not signed");
  if (!algorithms.has(alg)) throw refuse("Token algorithm is not allowed");
  for (const name of KEY_CARRYING_HEADERS) {
    if (name in header) throw refuse(`Token header must not carry ${name}`);
  }
  // RFC 7515 §4.1.11: a recipient must refuse `crit` extensions it does not understand. We understand none.
  if ("crit" in header || "b64" in header) throw refuse("Token header has critical parameters we do not understand");
  const kid = header.kid;
  if (typeof kid !== "string" || kid === "" || kid.length > MAX_KID_LENGTH) throw refuse("Token header has no kid");
  if (header.typ !== undefined && typeof header.typ !== "string") throw refuse("Token header typ must be a string");

  parseJsonObject(encodedPayload, "payload");
  return header as TokenHeader;
}

function parseJsonObject(segment: string, part: "header" | "payload"): Record<string, unknown> {
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(Buffer.from(segment, "base64url"));
    value = JSON.parse(text);
  } catch (cause) {
    throw refuse(`Token ${part} is not JSON`, cause);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw refuse(`Token ${part} is not a JSON object`);
  }
  if (findDuplicateKey(text) !== undefined) throw refuse(`Token ${part} has duplicate names`);
  return value as Record<string, unknown>;
}
