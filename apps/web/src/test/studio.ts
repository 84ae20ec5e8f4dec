/**
 * Shared by the db:studio tests (embedded and Postgres legs): start studio on a free port and
 * ask its local server what the studio page would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { type Studio, startStudio } from "~/cli/studio";
import { freePort } from "./free-port";

export const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Asks studio's server what the studio page would; retries while it starts. */
export async function countUsers(studio: Studio, port: number): Promise<number> {
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

export async function started(config: { databaseUrl: string | undefined; pgliteDir: string }) {
  const port = await freePort();
  const studio = await startStudio(config, { port, stdio: "pipe" });
  cleanups.push(() => studio.close());
  return { studio, port };
}

export function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-studio-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "pglite");
}
