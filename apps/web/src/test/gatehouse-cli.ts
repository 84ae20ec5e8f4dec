/**
 * Runs `pnpm gatehouse …` in-process as an operator would, on its own connection to the test
 * database (a separate process in real life: it tells the app only by NOTIFY). Fails the test
 * with the command's stderr unless it exits 0.
 */
import { createDb } from "@gatehouse/db/client";
import { expect } from "vitest";
import { run } from "~/cli/run";

export async function gatehouse(databaseUrl: string | undefined, ...argv: string[]): Promise<void> {
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: () => {}, err: (line) => stderr.push(line) },
    openDatabase: () => createDb({ url: databaseUrl, migrate: false, maxConnections: 1 }),
    environment: () => "test",
  });
  expect(code, stderr.join("\n")).toBe(0);
}
