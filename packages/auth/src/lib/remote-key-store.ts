/**
 * The keys of an external issuer, fetched from its JWKS (found through OIDC discovery when
 * no URL is given) and imported once per (key, alg) into a node:crypto signature check.
 *
 * Reload policy (the same as jose's `createRemoteJWKSet`, with an injectable clock):
 * - keys older than `maxAgeMs` are refetched before use;
 * - an unknown `kid` triggers a refetch, at most once per `cooldownMs`, so random kids
 *   cannot turn us into a flood against the issuer;
 * - concurrent callers share one request; each request is bounded by `timeoutMs`.
 * Redirects are refused and bodies are capped at `MAX_DOCUMENT_BYTES` while streaming.
 * When the issuer cannot be reached, known keys keep working; a token whose key we cannot
 * get is a 503 (`ServiceUnavailable`), never a 500 and never an acceptance.
 */
import { type CryptoKey, importJWK, type JWK } from "jose";
import { ServiceUnavailable, Unauthorized } from "../errors";
import { readBody } from "../read-body";
import type { TokenHeader } from "./compact-jws";
import { toPublicJwk } from "./public-jwk";
import { createSignatureCheck, type SignatureCheck } from "./signature-check";
import type { ResolvedKey } from "./token-verifier";

export interface RemoteKeyStoreOptions {
  issuer: string;
  jwksUri: string | undefined;
  fetch: typeof globalThis.fetch;
  now: () => number;
  timeoutMs: number;
  cooldownMs: number;
  maxAgeMs: number;
}

/** Largest discovery document or JWKS read (bytes); real ones are a few KiB. */
const MAX_DOCUMENT_BYTES = 512 * 1024;

class RemoteKey {
  readonly #imported = new Map<string, Promise<SignatureCheck>>();
  constructor(
    readonly jwk: JWK,
    readonly fingerprint: string,
  ) {}

  fits(alg: string): boolean {
    const { kty, crv } = this.jwk;
    if (this.jwk.alg !== undefined) return this.jwk.alg === alg;
    if (alg === "RS256" || alg === "PS256") return kty === "RSA";
    if (alg === "ES256") return kty === "EC" && crv === "P-256";
    if (alg === "EdDSA") return kty === "OKP" && crv === "Ed25519";
    return false;
  }

  /** jose imports (and validates) the JWK once per alg; verifying then runs on node:crypto. */
  import(alg: string): Promise<SignatureCheck> {
    let check = this.#imported.get(alg);
    if (!check) {
      check = (importJWK(this.jwk, alg) as Promise<CryptoKey>).then((key) => createSignatureCheck(alg, key));
      this.#imported.set(alg, check);
    }
    return check;
  }
}

export class RemoteKeyStore {
  readonly #options: RemoteKeyStoreOptions;
  #jwksUri: string | undefined;
  #keys = new Map<string, RemoteKey>();
  #fetchedAt: number | undefined;
  #attemptedAt: number | undefined;
  #lastFailure: unknown;
  #inflight: Promise<void> | undefined;

  constructor(options: RemoteKeyStoreOptions) {
    this.#options = options;
    this.#jwksUri = options.jwksUri === undefined ? undefined : requireSecureUrl(options.jwksUri, "jwksUri");
    if (options.jwksUri === undefined) requireSecureUrl(options.issuer, "issuer");
  }

  async resolve(header: TokenHeader): Promise<ResolvedKey> {
    const { maxAgeMs } = this.#options;
    const fetchedAt = this.#fetchedAt;
    if (fetchedAt === undefined || this.#options.now() - fetchedAt >= maxAgeMs) await this.#reload();
    let key = this.#keys.get(header.kid);
    if (!key) {
      await this.#reload();
      key = this.#keys.get(header.kid);
    }
    if (!key) {
      if (this.#lastFailure !== undefined) {
        throw new ServiceUnavailable("The token issuer's keys are unavailable", {
          code: "issuer_unavailable",
          cause: this.#lastFailure,
        });
      }
      throw new Unauthorized("Token signed with an unknown key");
    }
    if (!key.fits(header.alg)) throw new Unauthorized("Token algorithm does not match its key");
    try {
      return { check: await key.import(header.alg), handle: key };
    } catch (cause) {
      throw new Unauthorized("Token signed with an unusable key", { cause });
    }
  }

  isCurrent(kid: string, handle: object): boolean {
    return this.#keys.get(kid) === handle;
  }

  /** Joins the request in flight, or starts one unless the cooldown forbids it. Never throws. */
  async #reload(): Promise<void> {
    if (!this.#inflight) {
      const attemptedAt = this.#attemptedAt;
      if (attemptedAt !== undefined && this.#options.now() - attemptedAt < this.#options.cooldownMs) return;
      this.#inflight = this.#load().finally(() => {
        this.#inflight = undefined;
      });
    }
    await this.#inflight;
  }

  async #load(): Promise<void> {
    this.#attemptedAt = this.#options.now();
    try {
      this.#jwksUri ??= await this.#discover();
      this.#install(await this.#getJson(this.#jwksUri));
      this.#fetchedAt = this.#options.now();
      this.#lastFailure = undefined;
    } catch (error) {
      this.#lastFailure = error;
    }
  }

  async #discover(): Promise<string> {
    const { issuer } = this.#options;
    const doc = await this.#getJson(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
    // OpenID Connect Discovery §4.3: the document must name exactly the issuer we asked about.
    if (!isRecord(doc) || doc.issuer !== issuer) throw new Error("Discovery document names another issuer");
    if (typeof doc.jwks_uri !== "string") throw new Error("Discovery document has no jwks_uri");
    return requireSecureUrl(doc.jwks_uri, "jwks_uri");
  }

  #install(doc: unknown): void {
    if (!isRecord(doc) || !Array.isArray(doc.keys)) throw new Error("JWKS has no keys array");
    const seen = new Map<string, RemoteKey | null>();
    for (const jwk of doc.keys as unknown[]) {
      if (!isRecord(jwk) || typeof jwk.kid !== "string" || jwk.kid === "") continue;
      if (jwk.use !== undefined && jwk.use !== "sig") continue;
      // Only asymmetric keys: a shared secret served over HTTP would let anyone mint tokens.
      if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") continue;
      const publicJwk = toPublicJwk(jwk as JWK);
      const fingerprint = JSON.stringify(publicJwk);
      // Two keys under one kid are ambiguous: neither is used.
      if (seen.has(jwk.kid)) seen.set(jwk.kid, null);
      else {
        const previous = this.#keys.get(jwk.kid);
        seen.set(jwk.kid, previous?.fingerprint === fingerprint ? previous : new RemoteKey(publicJwk, fingerprint));
      }
    }
    const keys = new Map<string, RemoteKey>();
    for (const [kid, key] of seen) if (key) keys.set(kid, key);
    if (keys.size === 0) throw new Error("JWKS has no usable signing keys");
    this.#keys = keys;
  }

  async #getJson(url: string): Promise<unknown> {
    const { fetch, timeoutMs } = this.#options;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The race also bounds an injected fetch that ignores the abort signal.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`No answer from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const request = (async () => {
      // A redirect is not followed: the keys come from the URL we were given (or discovery named), nowhere else.
      const response = await fetch(url, {
        signal: controller.signal,
        redirect: "manual",
        headers: { accept: "application/json" },
      });
      if (
        response.type === "opaqueredirect" ||
        response.redirected ||
        (response.status >= 300 && response.status < 400)
      ) {
        await response.body?.cancel().catch(() => {});
        throw new Error(`${url} answered a redirect, which is not followed`);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new Error(`${url} answered ${response.status}`);
      }
      // Counted in bytes while streaming: a huge (or endless) body is cut off at the cap, never buffered whole.
      const bytes = await readBody(response, MAX_DOCUMENT_BYTES);
      if (bytes === null) throw new Error(`${url} answered a document over ${MAX_DOCUMENT_BYTES} bytes`);
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    })();
    try {
      return await Promise.race([request, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Keys fetched over plain HTTP could be swapped in transit: https only, except on loopback (tests, dev). */
function requireSecureUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new TypeError(`${name} must use https`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
