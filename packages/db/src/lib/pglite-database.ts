import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { Db } from "../client";
import * as schema from "../schema";
import { acquireDataDirLock } from "./data-dir-lock";
import type { OpenedDatabase } from "./postgres-database";

export async function openPglite(dataDir: string, loadDataDir?: Blob | File): Promise<OpenedDatabase> {
  const inMemory = dataDir.startsWith("memory://");
  const releaseLock = inMemory ? () => {} : acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir, ...(loadDataDir ? { loadDataDir } : {}) });
  } catch (error) {
    releaseLock();
    throw error;
  }
  const db = drizzle({ client, schema, casing: "snake_case" }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    async notify(channel, payload) {
      await client.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async listen(channel, onPayload) {
      return client.listen(channel, onPayload);
    },
    async ping() {
      await client.query("select 1");
    },
    async migrate(migrationsFolder) {
      await migrate(drizzle({ client }), { migrationsFolder });
    },
    async close() {
      try {
        if (!client.closed) await client.close();
      } finally {
        releaseLock();
      }
    },
  };
}
