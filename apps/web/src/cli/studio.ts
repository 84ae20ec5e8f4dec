/**
 * `pnpm db:studio`: drizzle-kit studio on the app's database (after `apps/web/.env`, as the
 * CLI). On Postgres it connects to DATABASE_URL. On the embedded database it never opens the
 * folder itself: it goes through the process that serves it (the dev server), and with none
 * running becomes that process for as long as studio runs (taking the folder's lock), so the
 * app started meanwhile reaches the same database instead of corrupting it. A production
 * server (which serves nobody) makes it refuse, naming the server's pid.
 * The studio page itself is drizzle's hosted https://local.drizzle.studio, talking to the
 * local server on 127.0.0.1:<port>: browsing needs a browser with internet access.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createDb, type Database, servedDataDirUrl } from "@gatehouse/db/client";
import type { Env } from "../env";
import { findProjectRoot } from "../server/project-root";

export interface Studio {
  child: ChildProcess;
  /** The database studio reads: DATABASE_URL or the embedded database's socket. */
  url: string;
  /** Stops studio, then closes the embedded database if this process opened it. */
  close(): Promise<void>;
}

export async function startStudio(
  config: Pick<Env, "databaseUrl" | "pgliteDir">,
  options: { port: number; stdio?: "inherit" | "pipe" },
): Promise<Studio> {
  let owned: Database | undefined;
  let url = config.databaseUrl ?? servedDataDirUrl(config.pgliteDir);
  if (!url) {
    // Nobody serves the folder: own it (migrated, as the app would) and serve it to studio.
    owned = await createDb({ dataDir: config.pgliteDir, serve: true });
    url = servedDataDirUrl(config.pgliteDir);
    if (!url) throw new Error("the embedded database is not served");
  }
  const dbPackage = path.join(findProjectRoot(), "packages/db");
  // drizzle-kit's `exports` hide its bin; its folder under packages/db is where pnpm links it.
  const bin = path.join(dbPackage, "node_modules/drizzle-kit/bin.cjs");
  const child = spawn(
    process.execPath,
    [bin, "studio", "--config", "drizzle.config.ts", "--host", "127.0.0.1", "--port", String(options.port)],
    { cwd: dbPackage, stdio: options.stdio ?? "inherit", env: { ...process.env, GATEHOUSE_STUDIO_URL: url } },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    url,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      await owned?.close();
    },
  };
}
