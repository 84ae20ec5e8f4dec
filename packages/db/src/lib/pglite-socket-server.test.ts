import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../client";
import { findUserByEmail } from "../users";
import { findDataDirOwner } from "./data-dir-lock";
import { BackendMessageReader } from "./pglite-socket-server";

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
const readyForQuery = (status: string) => message("Z", Buffer.from(status, "latin1"));
const notification = (channel: string, payload: string) =>
  message("A", Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from(`${channel}\0${payload}\0`)]));
const dataRow = (size: number) => message("D", Buffer.alloc(size, 0x41));

function readAll(chunks: Buffer[]) {
  const reader = new BackendMessageReader();
  const seen: string[] = [];
  for (const chunk of chunks) {
    reader.read(chunk, {
      onReadyForQuery: (status) => seen.push(`Z:${status}`),
      onNotification: (channel, payload) => seen.push(`A:${channel}:${payload}`),
    });
  }
  return seen;
}

describe("BackendMessageReader", () => {
  const stream = Buffer.concat([
    dataRow(100),
    notification("api_key_revoked", "abc"),
    readyForQuery("T"),
    dataRow(3),
    readyForQuery("I"),
  ]);
  const expected = ["A:api_key_revoked:abc", "Z:T", "Z:I"];

  it("finds ReadyForQuery and notifications in one chunk", () => {
    expect(readAll([stream])).toEqual(expected);
  });

  it("finds them whatever the chunk boundaries - bytes arrive cut anywhere", () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(readAll(chunks), `chunks of ${size}`).toEqual(expected);
    }
  });
});

// The owner's socket, attacked as a local process would: no password, a wrong one, a query
// instead of the authentication exchange, session state left behind, a session held hostage.
describe("startPgliteSocketServer (through createDb's owner)", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function servedFolder(holdLimit = 30_000) {
    const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-socket-"));
    dirs.push(dir);
    const dataDir = path.join(dir, "pglite");
    // Start from the migrated template the global setup dumped: no initdb per test.
    const template = process.env.GATEHOUSE_PGLITE_TEMPLATE;
    const loadDataDir = template ? new Blob([await readFile(template)]) : undefined;
    const owner = await createDb({ dataDir, serve: { holdLimit }, loadDataDir, migrate: !loadDataDir });
    const served = findDataDirOwner(dataDir)?.served;
    if (!served) throw new Error("the owner does not advertise its socket");
    return { dir, dataDir, owner, ...served };
  }

  const connect = (port: number, password?: string) =>
    postgres({
      host: "127.0.0.1",
      port,
      user: "postgres",
      database: "postgres",
      max: 1,
      prepare: false,
      onnotice() {},
      ...(password === undefined ? {} : { password }),
    });

  it("keeps the password for the owner's user only - lock file 0600, folder 0700", async () => {
    const { dir, dataDir, owner } = await servedFolder();
    expect((await stat(`${dataDir}.lock`)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    await owner.close();
  });

  it("refuses a client without the password or with a wrong one - 28P01, no query runs", async () => {
    const { owner, port, password } = await servedFolder();
    const none = connect(port);
    await expect(none`select 1`).rejects.toThrow();
    await none.end();
    const wrong = connect(port, `${password}x`);
    await expect(wrong`select 1`).rejects.toMatchObject({ code: "28P01" });
    await wrong.end();
    const right = connect(port, password);
    expect(await right`select 1 as one`).toEqual([{ one: 1 }]);
    await right.end();
    await owner.close();
  });

  it("refuses a query sent instead of the authentication exchange - nothing reaches PGlite", async () => {
    const { owner, port } = await servedFolder();
    const insert = "insert into users (email, password_hash, scopes) values ('intruder@example.com', 'h', '{}')";
    // A cleartext PasswordMessage is refused the same way: only SCRAM-SHA-256 is spoken.
    for (const attempt of [queryMessage(insert), passwordMessage("guess")]) {
      const answer = await rawExchange(port, Buffer.concat([startupMessage(), attempt, queryMessage(insert)]));
      expect(answer.closed).toBe(true);
      expect(answer.types).toEqual(["R", "E"]); // The SASL challenge, then FATAL: no AuthenticationOk.
      expect(answer.text).toContain("28P01");
    }
    expect(await findUserByEmail(owner.db, "intruder@example.com")).toBeUndefined();
    await owner.close();
  });

  it("cuts off a client that does not authenticate within the hold limit", async () => {
    const { owner, port } = await servedFolder(300);
    const answer = await rawExchange(port, startupMessage()); // Never answers the challenge.
    expect(answer).toMatchObject({ closed: true, types: ["R", "E"] });
    expect(answer.text).toContain("authentication timed out");
    await owner.close();
  });

  it("resets what a client set before the owner's next query - SET, SET ROLE and UNLISTEN do not leak", async () => {
    const { owner, port, password } = await servedFolder();
    const heard: string[] = [];
    const unlisten = await owner.listen("gatehouse_test_channel", (payload) => heard.push(payload));
    const guest = connect(port, password);
    await guest`create role gatehouse_guest_role`;
    await guest`set search_path = nowhere`;
    await guest`set statement_timeout = '1ms'`;
    await guest`set role gatehouse_guest_role`;
    await guest`unlisten *`;
    const settings = await owner.db.execute(
      sql`select current_setting('search_path') as search_path, current_setting('statement_timeout') as timeout, current_user as role`,
    );
    expect((settings as unknown as { rows: unknown[] }).rows).toEqual([
      { search_path: "public", timeout: "0", role: "postgres" },
    ]);
    // The owner's tables resolve as before, and its LISTEN still hears the guest's NOTIFY.
    expect(await findUserByEmail(owner.db, "nobody@example.com")).toBeUndefined();
    await guest`select pg_notify('gatehouse_test_channel', 'after-unlisten')`;
    await expect.poll(() => heard).toEqual(["after-unlisten"]);
    await guest.end();
    await unlisten();
    await owner.close();
  });

  it("disconnects a client that holds a transaction past the hold limit - the owner's queries proceed", async () => {
    const { owner, port, password } = await servedFolder(500);
    const hostage = await authenticatedRawClient(port, password);
    hostage.write(queryMessage("begin"));
    hostage.write(
      queryMessage("insert into users (email, password_hash, scopes) values ('hostage@example.com', 'h', '{}')"),
    );
    // Busy, never idle, never committing: an idle timeout alone would never fire.
    const trickle = setInterval(() => hostage.write(queryMessage("select 1")), 20);
    try {
      await expect.poll(() => hostage.received().includes("INSERT 0 1")).toBe(true);
      // Waits for the session; without the hold limit this never resolves.
      expect(await findUserByEmail(owner.db, "hostage@example.com")).toBeUndefined();
      await hostage.closed;
    } finally {
      clearInterval(trickle);
    }
    expect(await findUserByEmail(owner.db, "hostage@example.com")).toBeUndefined(); // Rolled back, not committed later.
    await owner.close();
  });
});

/**
 * A client that speaks the protocol itself, SCRAM-SHA-256 included (a second implementation
 * beside postgres.js, and one that does not crash when the server cuts it off mid-write).
 */
async function authenticatedRawClient(port: number, password: string) {
  const socket = createConnection({ host: "127.0.0.1", port });
  let received = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on("data", (chunk) => {
    received = Buffer.concat([received, chunk]);
    waiting?.();
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  /** The body of the next backend message of `type`, skipping others. */
  let at = 0;
  const next = async (type: string): Promise<Buffer> => {
    for (;;) {
      while (at + 5 <= received.length && at + 1 + received.readInt32BE(at + 1) <= received.length) {
        const end = at + 1 + received.readInt32BE(at + 1);
        const [found, body] = [String.fromCharCode(received[at] ?? 0), received.subarray(at + 5, end)];
        at = end;
        if (found === "E") throw new Error(`server refused: ${body.toString("latin1")}`);
        if (found === type) return body;
      }
      await new Promise<void>((resolve) => {
        waiting = resolve;
      });
    }
  };
  const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
  socket.write(startupMessage());
  await next("R"); // AuthenticationSASL
  const clientFirstBare = `n=*,r=${randomBytes(18).toString("base64")}`;
  const initial = Buffer.from(`n,,${clientFirstBare}`);
  const length = Buffer.alloc(4);
  length.writeInt32BE(initial.length);
  socket.write(message("p", Buffer.concat([Buffer.from("SCRAM-SHA-256\0"), length, initial])));
  const serverFirst = (await next("R")).subarray(4).toString();
  const fields = Object.fromEntries(serverFirst.split(",").map((field) => [field[0], field.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(fields.s ?? "", "base64"), Number(fields.i), 32, "sha256");
  const clientKey = hmac(salted, "Client Key");
  const finalBare = `c=biws,r=${fields.r}`;
  const signature = hmac(
    createHash("sha256").update(clientKey).digest(),
    `${clientFirstBare},${serverFirst},${finalBare}`,
  );
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
  socket.write(message("p", Buffer.from(`${finalBare},p=${proof.toString("base64")}`)));
  await next("Z");
  return {
    write: (bytes: Buffer) => socket.writable && socket.write(bytes),
    received: () => received.toString("latin1"),
    closed,
  };
}

function startupMessage(): Buffer {
  const body = Buffer.from("\0\x03\0\0user\0postgres\0database\0postgres\0\0", "latin1");
  const length = Buffer.alloc(4);
  length.writeInt32BE(4 + body.length);
  return Buffer.concat([length, body]);
}
const queryMessage = (text: string) => message("Q", Buffer.from(`${text}\0`));
const passwordMessage = (password: string) => message("p", Buffer.from(`${password}\0`));

/** Sends bytes, collects every backend message until the server closes (or 10 s pass). */
function rawExchange(port: number, bytes: Buffer): Promise<{ closed: boolean; types: string[]; text: string }> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let received = Buffer.alloc(0);
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const types: string[] = [];
      for (let at = 0; at + 5 <= received.length; at += 1 + received.readInt32BE(at + 1)) {
        types.push(String.fromCharCode(received[at] ?? 0));
      }
      resolve({ closed, types, text: received.toString("latin1") });
    };
    const timer = setTimeout(() => done(false), 10_000);
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
    });
    socket.on("close", () => done(true));
    socket.on("error", () => {});
    socket.write(bytes);
  });
}
