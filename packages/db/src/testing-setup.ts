/**
 * Vitest global setup: builds one migrated PGlite, dumps it to a temp file and tells the
 * workers where it is (GATEHOUSE_PGLITE_TEMPLATE). Cloning a dump opens in ~0.7 s, against
 * 4–5 s for a fresh initdb. Nothing to do when tests run against a real Postgres.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb } from "./client";

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.GATEHOUSE_TEST_PG_URL) return async () => {};
  const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-pglite-"));
  const database = await createDb({ dataDir: "memory://" });
  const client = (database.db as unknown as { $client: { dumpDataDir(c: "none"): Promise<Blob> } }).$client;
  const dump = await client.dumpDataDir("none");
  await database.close();
  const file = path.join(dir, "template.tar");
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  process.env.GATEHOUSE_PGLITE_TEMPLATE = file;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
