/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677), as Postgres speaks it (protocol
 * §53.3.1): what the embedded database's owner checks before it lets a socket client in.
 *
 * Chosen over cleartext or MD5 because the password never crosses the wire: a process that
 * squats on the advertised port after the owner dies learns nothing it could replay, and the
 * server's signature lets the client tell the real owner from an impostor. No channel binding
 * (loopback, no TLS), so only `n,,` / `y,,` GS2 headers are accepted.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/** What the server keeps instead of the password (RFC 5802 §3). */
export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export const SCRAM_MECHANISM = "SCRAM-SHA-256";

/**
 * 4096 is Postgres's default and RFC 7677's minimum; the password itself is 32 random bytes.
 * It is used as its UTF-8 bytes, as postgres.js sends it: ours is ASCII, where SASLprep changes nothing.
 */
export function createScramCredential(password: string, iterations = 4096): ScramCredential {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  return {
    salt,
    iterations,
    storedKey: sha256(hmac(salted, "Client Key")),
    serverKey: hmac(salted, "Server Key"),
  };
}

export type ScramStep = { ok: true; message: string } | { ok: false; reason: string };

/** One exchange: `start` with the client-first message, then `finish` with the client-final one. */
export class ScramServerExchange {
  readonly #credential: ScramCredential;
  #clientFirstBare: string | undefined;
  #serverFirst: string | undefined;
  #gs2Header: string | undefined;
  #nonce: string | undefined;

  constructor(credential: ScramCredential) {
    this.#credential = credential;
  }

  /** Whether `start` has answered (the next client message is the final one). */
  get started(): boolean {
    return this.#serverFirst !== undefined;
  }

  /** client-first-message → server-first-message. */
  start(clientFirst: string): ScramStep {
    const match = /^([ny]),,(n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+)(?:,.*)?)$/.exec(clientFirst);
    if (!match?.[1] || !match[2] || !match[3]) return { ok: false, reason: "malformed client-first-message" };
    this.#gs2Header = `${match[1]},,`;
    this.#clientFirstBare = match[2];
    this.#nonce = match[3] + randomBytes(18).toString("base64");
    this.#serverFirst = `r=${this.#nonce},s=${this.#credential.salt.toString("base64")},i=${this.#credential.iterations}`;
    return { ok: true, message: this.#serverFirst };
  }

  /** client-final-message → server-final-message, or a refusal when the proof is wrong. */
  finish(clientFinal: string): ScramStep {
    if (!this.#clientFirstBare || !this.#serverFirst || !this.#gs2Header) {
      return { ok: false, reason: "client-final-message before client-first-message" };
    }
    const match = /^(c=([^,]*),r=([^,]*)(?:,.*)?),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    if (!match?.[1] || match[2] === undefined || !match[4])
      return { ok: false, reason: "malformed client-final-message" };
    if (match[2] !== Buffer.from(this.#gs2Header).toString("base64"))
      return { ok: false, reason: "channel binding mismatch" };
    if (match[3] !== this.#nonce) return { ok: false, reason: "nonce mismatch" };
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${match[1]}`;
    const proof = Buffer.from(match[4], "base64");
    const signature = hmac(this.#credential.storedKey, authMessage);
    if (proof.length !== signature.length) return { ok: false, reason: "wrong password" };
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = (proof[i] ?? 0) ^ (signature[i] ?? 0);
    if (!timingSafeEqual(sha256(clientKey), this.#credential.storedKey)) return { ok: false, reason: "wrong password" };
    // One use: a replayed client-final-message finds no exchange to finish.
    this.#clientFirstBare = undefined;
    return { ok: true, message: `v=${hmac(this.#credential.serverKey, authMessage).toString("base64")}` };
  }
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac("sha256", key).update(text).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}
