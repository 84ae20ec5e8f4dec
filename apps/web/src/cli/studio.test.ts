/**
 * `pnpm db:studio` starts drizzle-kit studio's local server on the app's database: a query
 * through its proxy endpoint (what the studio page sends) reads our tables. On the embedded
 * database it goes through the owner; with none, it becomes the owner.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, servedDataDirUrl } from "@gatehouse/db/client";
import { createTestDatabase } from "@gatehouse/db/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type Studio, startStudio } from "./studio";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Asks studio's server what the studio page would; retries while it starts. */
async function countUsers(studio: Studio, port: number): Promise<number> {
  const body = JSON.stringify({
    type: "proxy",
    data: { sql: "select count(*)::int as n from users", params: [], mode: "object", method: "all" },
  });
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      const rows = (await answer.json()) as { n: number }[];
      return rows[0]?.n ?? -1;
    } catch (error) {
      if (attempt > 120 || studio.child.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function started(config: { databaseUrl: string | undefined; pgliteDir: string }) {
  const port = await freePort();
  const studio = await startStudio(config, { port, stdio: "pipe" });
  cleanups.push(() => studio.close());
  return { studio, port };
}

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-studio-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "pglite");
}

describe("db:studio", () => {
  it.skipIf(process.env.GATEHOUSE_TEST_PG_URL)(
    "serves an embedded folder nobody owns by owning it, then lets go",
    async () => {
      const pgliteDir = tempDataDir();
      const { studio, port } = await started({ databaseUrl: undefined, pgliteDir });
      expect(studio.url).toBe(servedDataDirUrl(pgliteDir));
      expect(await countUsers(studio, port)).toBe(0);
      await studio.close();
      expect(servedDataDirUrl(pgliteDir)).toBeUndefined();
    },
  );

  it.skipIf(process.env.GATEHOUSE_TEST_PG_URL)("goes through the dev server that owns the folder", async () => {
    const pgliteDir = tempDataDir();
    const owner = await createDb({ dataDir: pgliteDir, serve: true });
    cleanups.push(() => owner.close());
    const { studio, port } = await started({ databaseUrl: undefined, pgliteDir });
    expect(studio.url).toBe(servedDataDirUrl(pgliteDir));
    expect(await countUsers(studio, port)).toBe(0);
  });

  it.runIf(process.env.GATEHOUSE_TEST_PG_URL)("connects to DATABASE_URL", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.cleanup());
    const { studio, port } = await started({ databaseUrl: database.url, pgliteDir: tempDataDir() });
    expect(studio.url).toBe(database.url);
    expect(await countUsers(studio, port)).toBe(0);
  });
});
