import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import * as schema from "../schema";
import { acquireDataDirLock } from "./data-dir-lock";
import type { Db, OpenedDatabase } from "./database";
import type { PgliteSocketServer } from "./pglite-socket-server";

export interface OpenPgliteOptions {
  loadDataDir?: Blob | File | undefined;
  /**
   * Serve the database on a loopback port, behind a random password, and advertise both in
   * the 0600 lock file (folders only). `holdLimit`: see `PgliteSocketServerOptions`.
   */
  serve?: { holdLimit?: number | undefined } | undefined;
}

export async function openPglite(dataDir: string, options: OpenPgliteOptions = {}): Promise<OpenedDatabase> {
  const inMemory = dataDir.startsWith("memory://");
  const lock = inMemory ? undefined : acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    if (!inMemory) {
      // Owner-only: the database holds password hashes and key hashes.
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      chmodSync(dataDir, 0o700);
    }
    client = await PGlite.create({ dataDir, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzle({ client, schema, casing: "snake_case" }) as unknown as Db;

  // Our own listener table: a NOTIFY arrives either from this process (PGlite calls back) or
  // from a socket client (the server reads it off the wire); both reach the same callbacks.
  const listeners = new Map<
    string,
    { callbacks: Set<(payload: string) => void>; unlisten: Promise<() => Promise<void>> }
  >();
  const dispatch = (channel: string, payload: string) => {
    for (const callback of listeners.get(channel)?.callbacks ?? []) callback(payload);
  };

  let server: PgliteSocketServer | undefined;
  if (options.serve && lock) {
    try {
      const { startPgliteSocketServer } = await import("./pglite-socket-server");
      // 32 random bytes: only a process that can read the owner's lock file gets in.
      const password = randomBytes(32).toString("base64url");
      server = await startPgliteSocketServer(client, {
        password,
        onNotification: dispatch,
        listenedChannels: () => listeners.keys(),
        holdLimit: options.serve.holdLimit,
      });
      lock.advertise({ port: server.port, password });
    } catch (error) {
      await client.close().catch(() => {});
      lock.release();
      throw error;
    }
  }

  return {
    db,
    kind: "pglite",
    async notify(channel, payload) {
      await client.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async listen(channel, onPayload, onListen) {
      let entry = listeners.get(channel);
      if (!entry) {
        // Set before awaiting, so concurrent calls share one LISTEN.
        entry = { callbacks: new Set(), unlisten: client.listen(channel, (payload) => dispatch(channel, payload)) };
        listeners.set(channel, entry);
      }
      const callback = (payload: string) => onPayload(payload);
      entry.callbacks.add(callback);
      try {
        await entry.unlisten;
      } catch (error) {
        listeners.delete(channel);
        throw error;
      }
      onListen?.(); // Once: an in-process subscription has no connection to lose.
      return async () => {
        const current = listeners.get(channel);
        if (!current?.callbacks.delete(callback) || current.callbacks.size > 0) return;
        listeners.delete(channel);
        await (await current.unlisten)();
      };
    },
    async ping() {
      await client.query("select 1");
    },
    async migrate(migrationsFolder) {
      await migrate(drizzle({ client }), { migrationsFolder });
    },
    async close() {
      try {
        // Clients first: they may hold the session, and PGlite's close waits for it.
        await server?.close();
        if (!client.closed) await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}
