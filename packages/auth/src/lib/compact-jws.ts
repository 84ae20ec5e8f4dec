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
const MAX_KNOWN_HEADERS = 64;

function refuse(detail: string, cause?: unknown): Unauthorized {
  return new Unauthorized(detail, cause === undefined ? {} : { cause });
}

/** A compact JWS that passed every structural check, split for the signature check. */
export interface InspectedToken {
  readonly header: TokenHeader;
  /** The payload as text, or `null` when it is not UTF-8 (refused once the signature is checked, as jose does). */
  readonly payloadText: string | null;
  /** `header.payload`, the bytes the signature covers. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

export interface CompactJwsInspectorOptions {
  maxLength: number;
  algorithms: ReadonlySet<string>;
}

/**
 * Returns a function that checks a compact JWS and splits it (header, payload text, signing
 * input, signature bytes). It throws `Unauthorized` for anything else, and only
 * `Unauthorized`. The payload is checked for duplicate names here and parsed after the
 * signature. Every segment must be unpadded base64url (RFC 7515 §2, §7.1): `Buffer` would
 * skip stray characters, so `sig` and `sig!` or `sigA` must not both verify.
 *
 * One issuer's tokens share a handful of distinct headers, so validated headers are
 * remembered by their encoded form (a small map, emptied when full): on the hot path a
 * header costs one lookup instead of decode + parse + checks.
 */
export function createCompactJwsInspector({
  maxLength,
  algorithms,
}: CompactJwsInspectorOptions): (token: string) => InspectedToken {
  const knownHeaders = new Map<string, TokenHeader>();
  return (token) => {
    if (typeof token !== "string" || token.length === 0) throw refuse("Token is empty");
    if (token.length > maxLength) throw refuse("Token is too long");
    const firstDot = token.indexOf(".");
    const secondDot = firstDot === -1 ? -1 : token.indexOf(".", firstDot + 1);
    if (secondDot === -1 || token.indexOf(".", secondDot + 1) !== -1) throw refuse("Token is not a signed JWT");
    // A stripped signature ("header.payload.") is the `alg: none` attack by another name.
    if (secondDot === token.length - 1) throw refuse("Token has no signature");

    const encodedHeader = token.slice(0, firstDot);
    let header = knownHeaders.get(encodedHeader);
    if (header === undefined) {
      header = checkHeader(encodedHeader, algorithms);
      if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.clear();
      knownHeaders.set(encodedHeader, header);
    }
    const encodedPayload = token.slice(firstDot + 1, secondDot);
    const encodedSignature = token.slice(secondDot + 1);
    if (!isBase64url(encodedPayload) || !isBase64url(encodedSignature)) throw refuse("Token is not valid base64url");
    const payloadText = decodeStrict(encodedPayload);
    if (payloadText !== null && findDuplicateKey(payloadText) !== undefined) {
      throw refuse("Token payload has duplicate names");
    }
    return {
      header,
      payloadText,
      signingInput: Buffer.from(token.slice(0, secondDot), "latin1"),
      signature: Buffer.from(encodedSignature, "base64url"),
    };
  };
}

// A length of 4n+1 cannot be base64: Buffer drops the last character where jose refuses.
function isBase64url(segment: string): boolean {
  return segment.length % 4 !== 1 && BASE64URL.test(segment);
}

function checkHeader(encodedHeader: string, algorithms: ReadonlySet<string>): TokenHeader {
  if (!isBase64url(encodedHeader)) throw refuse("Token is not valid base64url");
  const headerText = decodeStrict(encodedHeader);
  if (headerText === null) throw refuse("Token header is not JSON");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerText);
  } catch (cause) {
    throw refuse("Token header is not JSON", cause);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw refuse("Token header is not a JSON object");
  }
  if (findDuplicateKey(headerText) !== undefined) throw refuse("Token header has duplicate names");
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
  return Object.freeze(header) as TokenHeader;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

// Invalid UTF-8 is refused, as jose's strict decoder does, rather than read as U+FFFD.
function decodeStrict(segment: string): string | null {
  try {
    return utf8.decode(Buffer.from(segment, "base64url"));
  } catch {
    return null;
  }
}
