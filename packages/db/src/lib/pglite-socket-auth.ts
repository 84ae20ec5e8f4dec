/**
 * The start of a Postgres connection to the embedded database's owner, up to and including
 * authentication (protocol §53.2.1), done on the raw socket before `PGLiteSocketHandler` sees
 * a byte. `@electric-sql/pglite-socket` 0.2.17 has no authentication hook: it hands the startup
 * packet to PGlite, which answers AuthenticationOk to anyone. So here nothing reaches PGlite
 * until the client has proven it knows the owner's password with SCRAM-SHA-256; a client that
 * sends anything else (a query, a cleartext password, no password) is refused and cut off.
 */
import type { Socket } from "node:net";
import { SCRAM_MECHANISM, type ScramCredential, ScramServerExchange } from "./scram-sha-256";

const PROTOCOL_3_0 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
/** Nothing a client sends before it is authenticated is this long (startup packet, SASL messages). */
const MAX_MESSAGE = 8_192;

export interface AuthenticateOptions {
  credential: ScramCredential;
  /** The client must be authenticated within this many ms, or it is cut off. */
  timeout: number;
}

/**
 * Resolves to the bytes `PGLiteSocketHandler` must read first (the startup packet, so PGlite
 * sends its AuthenticationOk and parameters, then whatever the client sent after it), or to
 * `undefined` when the client was refused and the socket destroyed.
 */
export function authenticateSocket(socket: Socket, options: AuthenticateOptions): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    let startup: Buffer | undefined;
    let exchange: ScramServerExchange | undefined;
    let settled = false;
    const settle = (result: Buffer | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onClose);
      resolve(result);
    };
    const refuse = (code: string, message: string) => {
      if (!socket.destroyed) socket.end(errorResponse(code, message));
      socket.destroy();
      settle(undefined);
    };
    const timer = setTimeout(() => refuse("08006", "authentication timed out"), options.timeout);
    const onClose = () => {
      socket.destroy();
      settle(undefined);
    };

    const step = (): boolean => {
      if (!startup) {
        if (buffered.length < 8) return false;
        const length = buffered.readInt32BE(0);
        if (length < 8 || length > MAX_MESSAGE) return refuseWith("08P01", "invalid startup packet");
        if (buffered.length < length) return false;
        const code = buffered.readInt32BE(4);
        const packet = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write("N"); // No TLS on loopback; the client carries on in plain text.
          return true;
        }
        if (code !== PROTOCOL_3_0) return refuseWith("08P01", "unsupported frontend protocol");
        startup = Buffer.from(packet);
        exchange = new ScramServerExchange(options.credential);
        socket.write(authentication(10, Buffer.from(`${SCRAM_MECHANISM}\0\0`)));
        return true;
      }
      if (buffered.length < 5) return false;
      const type = buffered[0];
      const length = buffered.readInt32BE(1);
      if (type !== 0x70 /* 'p' */) return refuseWith("28P01", "password authentication failed: SCRAM-SHA-256 required");
      if (length < 4 || length > MAX_MESSAGE) return refuseWith("08P01", "invalid authentication message");
      if (buffered.length < 1 + length) return false;
      const body = buffered.subarray(5, 1 + length);
      buffered = buffered.subarray(1 + length);
      return exchange && !exchange.started ? initialResponse(exchange, body) : finalResponse(body);
    };
    const refuseWith = (code: string, message: string): false => {
      refuse(code, message);
      return false;
    };
    // SASLInitialResponse: mechanism\0, int32 length, client-first-message.
    const initialResponse = (scram: ScramServerExchange, body: Buffer): boolean => {
      const nul = body.indexOf(0);
      if (nul < 0 || body.toString("latin1", 0, nul) !== SCRAM_MECHANISM || body.length < nul + 5) {
        return refuseWith("28P01", `password authentication failed: ${SCRAM_MECHANISM} required`);
      }
      const result = scram.start(body.toString("utf8", nul + 5));
      if (!result.ok) return refuseWith("08P01", result.reason);
      socket.write(authentication(11, Buffer.from(result.message)));
      return true;
    };
    // SASLResponse: client-final-message.
    const finalResponse = (body: Buffer): boolean => {
      const result = exchange?.finish(body.toString("utf8"));
      if (!result?.ok) return refuseWith("28P01", 'password authentication failed for user "postgres"');
      socket.write(authentication(12, Buffer.from(result.message)));
      // Hold what follows until the handler listens, so no byte is emitted to nobody.
      socket.pause();
      settle(Buffer.concat([startup ?? Buffer.alloc(0), buffered]));
      return false;
    };

    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (!settled && step()) {}
    };
    socket.on("data", onData);
    socket.on("close", onClose);
    socket.on("error", onClose);
  });
}

function authentication(kind: number, data: Buffer): Buffer {
  const message = Buffer.alloc(9 + data.length);
  message.write("R", 0, "latin1");
  message.writeInt32BE(8 + data.length, 1);
  message.writeInt32BE(kind, 5);
  data.copy(message, 9);
  return message;
}

function errorResponse(code: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, "utf8");
  const message = Buffer.alloc(5 + fields.length);
  message.write("E", 0, "latin1");
  message.writeInt32BE(4 + fields.length, 1);
  fields.copy(message, 5);
  return message;
}
