/**
 * Serves one process's PGlite on a loopback port, so other processes (the CLI, drizzle-kit,
 * a second dev server) reach the embedded database through its one owner instead of opening
 * the folder twice. Development only: the app decides (see `serve` in `client.ts`).
 *
 * The session is the owner's; a guest borrows it, and four rules keep it so:
 * - Authentication: nothing reaches PGlite before the client proves with SCRAM-SHA-256 that
 *   it knows the password the owner wrote to its 0600 lock file (`pglite-socket-auth.ts`).
 *   Without it any local user could read password hashes or insert API keys as superuser.
 * - One holder at a time: `@electric-sql/pglite-socket` frames the wire protocol
 *   (`PGLiteSocketHandler`); the queue is ours. pglite-socket's own queue takes only PGlite's
 *   query mutex, per message, so the owner's `transaction()` and a client's Parse…Sync or
 *   BEGIN…COMMIT could interleave inside one session. Here a client holds PGlite's
 *   *transaction* mutex from its first message until the server answers ReadyForQuery with
 *   status idle: the owner's queries and transactions wait, and never see a client's half-done
 *   statement or open transaction, nor the reverse.
 * - A bounded hold: a client that keeps the session longer than `holdLimit` (an open
 *   transaction, a Parse without Sync) is disconnected and what it left open rolled back, so
 *   no client can freeze the app.
 * - A clean hand-back: each time a client gives the session back, `DISCARD ALL` resets what it
 *   set (`SET`, `SET ROLE`, temp tables, prepared statements, advisory locks), then the owner's
 *   LISTENs are restored, so nothing a client did persists into the app's queries. A client's
 *   session state therefore lasts one transaction, as behind a transaction-mode pooler.
 *
 * Notifications: a NOTIFY sent through the socket is answered on the socket (one session), so
 * PGlite's `listen()` callbacks in the owner never hear it. We read NotificationResponse
 * messages from what the server sends back and hand them to `onNotification`.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";
import { authenticateSocket } from "./pglite-socket-auth";
import { createScramCredential } from "./scram-sha-256";

/** How long a socket client may hold the owner's session by default, in ms. */
export const DEFAULT_HOLD_LIMIT = 30_000;

export interface PgliteSocketServerOptions {
  /** What a client must prove it knows (SCRAM-SHA-256) before anything reaches PGlite. */
  password: string;
  /** Called for each NOTIFY a socket client sends (in this single-session database). */
  onNotification(channel: string, payload: string): void;
  /** Channels the owner listens on, re-LISTENed after each reset of the session. */
  listenedChannels(): Iterable<string>;
  /** Loopback port; 0 picks a free one. Default: 0. */
  port?: number;
  /** Simultaneous clients, authenticated or not. Default: 8. */
  maxConnections?: number;
  /**
   * The longest a client may hold the session (from its first message to an idle
   * ReadyForQuery), and the longest it may take to authenticate, in ms; past it the client
   * is disconnected and what it left open rolled back. Default: 30 000.
   */
  holdLimit?: number;
  /** A connected client silent this long is disconnected, in ms. Default: 60 000. */
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
  if (!options.password) throw new Error("startPgliteSocketServer: a password is required");
  const maxConnections = options.maxConnections ?? 8;
  const idleTimeout = options.idleTimeout ?? 60_000;
  const holdLimit = options.holdLimit ?? DEFAULT_HOLD_LIMIT;
  if (!(Number.isInteger(holdLimit) && holdLimit > 0)) throw new Error("holdLimit must be a positive number of ms");
  const credential = createScramCredential(options.password);
  const handlers = new Map<number, PGLiteSocketHandler>();
  const queue = new SessionQueue(client, {
    onNotification: options.onNotification,
    listenedChannels: options.listenedChannels,
    holdLimit,
    // Detaching ends the socket; the queue then rolls back and resets what the client left.
    onOverstay: (handlerId) => void handlers.get(handlerId)?.detach(true),
  });
  const sockets = new Set<Socket>();
  let closing = false;
  const server: Server = createServer((socket: Socket) => {
    if (closing || sockets.size >= maxConnections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.setNoDelay(true);
    void authenticateSocket(socket, { credential, timeout: holdLimit }).then((first) => {
      if (!first || closing || socket.destroyed) {
        socket.destroy();
        return;
      }
      const handler = new PGLiteSocketHandler({
        // Structurally what the handler calls (enqueue, clearQueueForHandler, clearTransactionIfNeeded).
        queryQueue: queue as unknown as PGLiteSocketHandlerOptions["queryQueue"],
        closeOnDetach: true,
        idleTimeout,
      });
      handlers.set(handler.handlerId, handler);
      const forget = () => handlers.delete(handler.handlerId);
      handler.addEventListener("close", forget);
      handler.addEventListener("error", forget);
      // attach() adds its listeners synchronously; the socket was paused since authentication.
      handler.attach(socket).catch(() => {
        forget();
        socket.destroy();
      });
      socket.unshift(first);
      socket.resume();
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
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers.values()].map((handler) => handler.detach(true)));
      handlers.clear();
      for (const socket of sockets) socket.destroy();
      await queue.idle();
      await closed;
    },
  };
}

const TERMINATE = 0x58; // 'X'
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4); // 'S', length 4
const ROLLBACK = queryMessage("ROLLBACK");
// Everything a client can leave in a session; it also drops LISTENs, which we restore after it.
const DISCARD_ALL = queryMessage("DISCARD ALL");

interface ClientSession {
  handlerId: number;
  /** Releases PGlite's transaction mutex; set while this client holds the session. */
  release: (() => void) | undefined;
  /** Transaction status from the last ReadyForQuery: I idle, T in transaction, E failed transaction. */
  status: "I" | "T" | "E";
  /** Whether the last message was answered with a ReadyForQuery (a Parse or Bind is not). */
  ready: boolean;
  closed: boolean;
  /** Messages run in arrival order, one after another. */
  tail: Promise<unknown>;
  reader: BackendMessageReader;
  /** Cuts the client off once it has held the session `holdLimit` ms. */
  holdTimer: ReturnType<typeof setTimeout> | undefined;
}

interface SessionQueueOptions {
  onNotification(channel: string, payload: string): void;
  listenedChannels(): Iterable<string>;
  holdLimit: number;
  onOverstay(handlerId: number): void;
}

/** What `PGLiteSocketHandler` calls, holding the session per client as described on top. */
class SessionQueue {
  readonly #client: PGlite;
  readonly #options: SessionQueueOptions;
  readonly #sessions = new Map<number, ClientSession>();
  /** Clients already cleared: a message still in flight from one must not take the session again. */
  readonly #gone = new Set<number>();

  constructor(client: PGlite, options: SessionQueueOptions) {
    this.#client = client;
    this.#options = options;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (this.#gone.has(handlerId)) return Promise.resolve(0);
    const session = this.#session(handlerId);
    const run = session.tail.then(() => this.#run(session, message, onData));
    session.tail = run.catch(() => {});
    return run;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#gone.add(handlerId);
    const session = this.#sessions.get(handlerId);
    if (session) session.closed = true;
  }

  /** Called when a client goes away: end what it left half done, then give the session back. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    this.#gone.add(handlerId);
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
      await this.#reset(session);
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
        handlerId,
        release: undefined,
        status: "I",
        ready: false,
        closed: false,
        tail: Promise.resolve(),
        reader: new BackendMessageReader(),
        holdTimer: undefined,
      };
      this.#sessions.set(handlerId, session);
    }
    return session;
  }

  async #run(session: ClientSession, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    // Terminate would end PGlite's one backend; the socket closing is all it means here.
    if (session.closed || message[0] === TERMINATE) return 0;
    if (!session.release) {
      session.release = await this.#takeSession();
      session.holdTimer = setTimeout(() => this.#options.onOverstay(session.handlerId), this.#options.holdLimit);
    }
    if (session.closed) return 0; // clearTransactionIfNeeded gives the session back.
    let bytes = 0;
    await this.#exec(session, message, (data) => {
      bytes += data.length;
      onData(data);
    });
    // Only an idle ReadyForQuery ends the client's turn: between Parse and Sync its unnamed
    // statement and portal live in the session, and neither a reset nor the owner may touch them.
    if (session.ready && session.status === "I") {
      try {
        await this.#reset(session);
      } finally {
        this.#giveBack(session);
      }
    }
    return bytes;
  }

  async #exec(session: ClientSession, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<void> {
    const notifications: [string, string][] = [];
    session.ready = false;
    await this.#client.runExclusive(() =>
      this.#client.execProtocolRawStream(message, {
        onRawData: (data) => {
          session.reader.read(data, {
            onReadyForQuery: (status) => {
              session.status = status;
              session.ready = true;
            },
            onNotification: (channel, payload) => notifications.push([channel, payload]),
          });
          onData(data);
        },
      }),
    );
    // Listeners run after the statement, outside PGlite's mutex.
    for (const [channel, payload] of notifications) {
      queueMicrotask(() => this.#options.onNotification(channel, payload));
    }
  }

  /** Back to the session the owner had: nothing the client set survives, the owner's LISTENs do. */
  async #reset(session: ClientSession): Promise<void> {
    await this.#exec(session, DISCARD_ALL, () => {});
    for (const channel of this.#options.listenedChannels()) {
      await this.#exec(session, queryMessage(`LISTEN ${quoteChannel(channel)}`), () => {});
    }
  }

  // PGlite's `query`, `exec` and `transaction` all take this mutex first, then the query mutex
  // per statement; we take them in the same order, so the owner and clients cannot deadlock.
  #takeSession(): Promise<() => void> {
    return new Promise((taken, failed) => {
      this.#client._runExclusiveTransaction(() => new Promise<void>((release) => taken(release))).catch(failed);
    });
  }

  #giveBack(session: ClientSession): void {
    clearTimeout(session.holdTimer);
    session.holdTimer = undefined;
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

/** The channel as PGlite's `listen()` named it: a quoted name kept as is, a bare one folded to lower case. */
function quoteChannel(channel: string): string {
  const name = channel.startsWith('"') && channel.endsWith('"') ? channel.slice(1, -1) : channel.toLowerCase();
  return `"${name.replaceAll('"', '""')}"`;
}

function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const message = Buffer.alloc(5 + text.length);
  message.write("Q", 0, "latin1");
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
