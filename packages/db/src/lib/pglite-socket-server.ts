/**
 * Serves one process's PGlite on a loopback port, so other processes (the CLI, drizzle-kit,
 * a second dev server) reach the embedded database through its one owner instead of opening
 * the folder twice.
 *
 * `@electric-sql/pglite-socket` frames the wire protocol (`PGLiteSocketHandler`); the queue is
 * ours, because PGlite has one session and the owner keeps using it directly. pglite-socket's
 * own queue takes only PGlite's query mutex, per message, so the owner's `transaction()` and a
 * client's Parse…Sync or BEGIN…COMMIT could interleave inside one session. Here a client holds
 * PGlite's *transaction* mutex from its first message until the server answers ReadyForQuery
 * with status idle: the owner's queries and transactions (which take that mutex) wait, and
 * never see a client's half-done statement or open transaction, nor the reverse.
 *
 * Notifications: a NOTIFY sent through the socket is answered on the socket (one session), so
 * PGlite's `listen()` callbacks in the owner never hear it. We read NotificationResponse
 * messages from what the server sends back and hand them to `onNotification`.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";

export interface PgliteSocketServerOptions {
  /** Called for each NOTIFY a socket client sends (in this single-session database). */
  onNotification(channel: string, payload: string): void;
  /** Loopback port; 0 picks a free one. Default: 0. */
  port?: number;
  /** Simultaneous clients. Default: 8. */
  maxConnections?: number;
  /**
   * A client silent this long is disconnected and its open transaction rolled back, so a
   * stuck client cannot hold the owner's session forever, in ms. Default: 60 000.
   */
  idleTimeout?: number;
}

export interface PgliteSocketServer {
  port: number;
  /** Stops listening, disconnects clients (rolling back what they left open). */
  close(): Promise<void>;
}

export async function startPgliteSocketServer(
  client: PGlite,
  options: PgliteSocketServerOptions,
): Promise<PgliteSocketServer> {
  const maxConnections = options.maxConnections ?? 8;
  const idleTimeout = options.idleTimeout ?? 60_000;
  const queue = new SessionQueue(client, options.onNotification);
  const handlers = new Set<PGLiteSocketHandler>();
  const server: Server = createServer((socket: Socket) => {
    if (handlers.size >= maxConnections) {
      socket.destroy();
      return;
    }
    const handler = new PGLiteSocketHandler({
      // Structurally what the handler calls (enqueue, clearQueueForHandler, clearTransactionIfNeeded).
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions["queryQueue"],
      closeOnDetach: true,
      idleTimeout,
    });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener("close", forget);
    handler.addEventListener("error", forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("PGlite socket server has no TCP address");
  return {
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers].map((handler) => handler.detach(true)));
      handlers.clear();
      await queue.idle();
      await closed;
    },
  };
}

const TERMINATE = 0x58; // 'X'
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4); // 'S', length 4
const ROLLBACK = queryMessage("ROLLBACK");

interface ClientSession {
  /** Releases PGlite's transaction mutex; set while this client holds the session. */
  release: (() => void) | undefined;
  /** Transaction status from the last ReadyForQuery: I idle, T in transaction, E failed transaction. */
  status: "I" | "T" | "E";
  closed: boolean;
  /** Messages run in arrival order, one after another. */
  tail: Promise<unknown>;
  reader: BackendMessageReader;
}

/** What `PGLiteSocketHandler` calls, holding the session per client as described on top. */
class SessionQueue {
  readonly #client: PGlite;
  readonly #onNotification: (channel: string, payload: string) => void;
  readonly #sessions = new Map<number, ClientSession>();

  constructor(client: PGlite, onNotification: (channel: string, payload: string) => void) {
    this.#client = client;
    this.#onNotification = onNotification;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const session = this.#session(handlerId);
    const run = session.tail.then(() => this.#run(session, message, onData));
    session.tail = run.catch(() => {});
    return run;
  }

  clearQueueForHandler(handlerId: number): void {
    const session = this.#sessions.get(handlerId);
    if (session) session.closed = true;
  }

  /** Called when a client goes away: end what it left half done, then give the session back. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    const session = this.#sessions.get(handlerId);
    if (!session) return;
    session.closed = true;
    await session.tail;
    this.#sessions.delete(handlerId);
    if (!session.release) return;
    try {
      // Sync ends an extended-protocol sequence (or an error state awaiting Sync);
      // then roll back a transaction it left open.
      await this.#exec(session, SYNC, () => {});
      if (session.status !== "I") await this.#exec(session, ROLLBACK, () => {});
    } finally {
      this.#giveBack(session);
    }
  }

  /** Resolves once no client holds the session. */
  async idle(): Promise<void> {
    await Promise.all([...this.#sessions.keys()].map((id) => this.clearTransactionIfNeeded(id)));
  }

  #session(handlerId: number): ClientSession {
    let session = this.#sessions.get(handlerId);
    if (!session) {
      session = {
        release: undefined,
        status: "I",
        closed: false,
        tail: Promise.resolve(),
        reader: new BackendMessageReader(),
      };
      this.#sessions.set(handlerId, session);
    }
    return session;
  }

  async #run(session: ClientSession, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    // Terminate would end PGlite's one backend; the socket closing is all it means here.
    if (session.closed || message[0] === TERMINATE) return 0;
    if (!session.release) session.release = await this.#takeSession();
    if (session.closed) return 0; // clearTransactionIfNeeded gives the session back.
    let bytes = 0;
    await this.#exec(session, message, (data) => {
      bytes += data.length;
      onData(data);
    });
    if (session.status === "I") this.#giveBack(session);
    return bytes;
  }

  async #exec(session: ClientSession, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<void> {
    const notifications: [string, string][] = [];
    await this.#client.runExclusive(() =>
      this.#client.execProtocolRawStream(message, {
        onRawData: (data) => {
          session.reader.read(data, {
            onReadyForQuery: (status) => {
              session.status = status;
            },
            onNotification: (channel, payload) => notifications.push([channel, payload]),
          });
          onData(data);
        },
      }),
    );
    // Listeners run after the statement, outside PGlite's mutex.
    for (const [channel, payload] of notifications) queueMicrotask(() => this.#onNotification(channel, payload));
  }

  // PGlite's `query`, `exec` and `transaction` all take this mutex first, then the query mutex
  // per statement; we take them in the same order, so the owner and clients cannot deadlock.
  #takeSession(): Promise<() => void> {
    return new Promise((taken, failed) => {
      this.#client._runExclusiveTransaction(() => new Promise<void>((release) => taken(release))).catch(failed);
    });
  }

  #giveBack(session: ClientSession): void {
    const release = session.release;
    session.release = undefined;
    release?.();
  }
}

export interface BackendMessageHandlers {
  onReadyForQuery(status: "I" | "T" | "E"): void;
  onNotification(channel: string, payload: string): void;
}

/**
 * Reads backend messages out of a byte stream cut at arbitrary points: ReadyForQuery ('Z',
 * status byte) and NotificationResponse ('A', pid, channel\0, payload\0). Other messages are
 * skipped without being copied.
 */
export class BackendMessageReader {
  #pending: Buffer = Buffer.alloc(0);
  #skip = 0;

  read(chunk: Uint8Array, handlers: BackendMessageHandlers): void {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#skip > 0) {
      const skipped = Math.min(this.#skip, data.length);
      this.#skip -= skipped;
      data = data.subarray(skipped);
    }
    if (this.#pending.length > 0) data = Buffer.concat([this.#pending, data]);
    this.#pending = Buffer.alloc(0);
    let at = 0;
    while (data.length - at >= 5) {
      const type = data[at];
      const end = at + 1 + data.readInt32BE(at + 1);
      if (type !== 0x5a && type !== 0x41) {
        if (end > data.length) {
          this.#skip = end - data.length;
          return;
        }
        at = end;
        continue;
      }
      if (end > data.length) break;
      if (type === 0x5a) {
        const status = String.fromCharCode(data[at + 5] ?? 0x49);
        handlers.onReadyForQuery(status === "T" || status === "E" ? status : "I");
      } else {
        const channelEnd = data.indexOf(0, at + 9);
        const payloadEnd = data.indexOf(0, channelEnd + 1);
        handlers.onNotification(
          data.toString("utf8", at + 9, channelEnd),
          data.toString("utf8", channelEnd + 1, payloadEnd),
        );
      }
      at = end;
    }
    this.#pending = Buffer.from(data.subarray(at));
  }
}

function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const message = Buffer.alloc(5 + text.length);
  message.write("Q", 0, "latin1");
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
