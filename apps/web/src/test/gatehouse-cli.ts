/**
 * Runs `pnpm gatehouse …` in-process as an operator would, on its own connection to the test
 * database (a separate process in real life: it tells the app only by NOTIFY). Throws (so the
 * test fails) with the command's stderr unless it exits 0. Free of any test runner's API, so
 * Vitest suites and Playwright specs both use it.
 */
import type { Database } from "@gatehouse/db/client";
import { createDb } from "@gatehouse/db/client";
import { type RunContext, run } from "~/cli/run";

export async function gatehouse(databaseUrl: string | undefined, ...argv: string[]): Promise<void> {
  const { code, stderr } = await gatehouseOutput(
    () => createDb({ url: databaseUrl, migrate: false, maxConnections: 1 }),
    ...argv,
  );
  if (code !== 0) throw new Error(`gatehouse ${argv.join(" ")} exited ${code}:\n${stderr.join("\n")}`);
}

export interface GatehouseResult {
  code: number;
  stdout: string[];
  stderr: string[];
}

/**
 * Runs a command and returns its exit code and output lines. Given a `Database` (a PGlite
 * test database has one connection), the command shares it and leaves it open.
 */
export async function gatehouseOutput(
  database: Database | (() => Promise<Database>),
  ...argv: string[]
): Promise<GatehouseResult> {
  return gatehouseOutputWith({ database }, ...argv);
}

/** `gatehouseOutput`, with standard input (`users set-password`) or another security-log key. */
export async function gatehouseOutputWith(
  options: Pick<RunContext, "chainKey"> & { database: Database | (() => Promise<Database>); stdin?: string },
  ...argv: string[]
): Promise<GatehouseResult> {
  const { database, stdin } = options;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: (line) => stdout.push(line), err: (line) => stderr.push(line) },
    openDatabase: typeof database === "function" ? database : async () => ({ ...database, close: async () => {} }),
    environment: () => "test",
    ...(stdin === undefined ? {} : { readSecret: async () => stdin }),
    ...(options.chainKey ? { chainKey: options.chainKey } : {}),
  });
  return { code, stdout, stderr };
}
