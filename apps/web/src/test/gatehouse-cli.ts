/**
 * Runs `pnpm gatehouse …` in-process as an operator would, on its own connection to the test
 * database (a separate process in real life: it tells the app only by NOTIFY). Throws (so the
 * test fails) with the command's stderr unless it exits 0. Free of any test runner's API, so
 * Vitest suites and Playwright specs both use it.
 */
import { createDb } from "@gatehouse/db/client";
import { run } from "~/cli/run";

export async function gatehouse(databaseUrl: string | undefined, ...argv: string[]): Promise<void> {
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: () => {}, err: (line) => stderr.push(line) },
    openDatabase: () => createDb({ url: databaseUrl, migrate: false, maxConnections: 1 }),
    environment: () => "test",
  });
  if (code !== 0) throw new Error(`gatehouse ${argv.join(" ")} exited ${code}:\n${stderr.join("\n")}`);
}
