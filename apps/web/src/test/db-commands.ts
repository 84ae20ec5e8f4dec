/** Shared by the db migrate / db seed tests (embedded and Postgres legs). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "@gatehouse/db/client";
import { listNotes } from "@gatehouse/db/notes";
import { findUserByEmail } from "@gatehouse/db/users";
import { afterEach, expect } from "vitest";
import { run } from "~/cli/run";
import { openCliDatabase } from "~/cli/start-cli";
import { DEMO_USER } from "~/server/demo-user";

export const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-db-cli-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "pglite");
}

export async function gatehouse(config: { databaseUrl?: string; pgliteDir: string }, ...argv: string[]) {
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: () => {}, err: (line) => stderr.push(line) },
    openDatabase: (purpose) =>
      openCliDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir }, purpose),
    environment: () => "test",
  });
  return { code, stderr: stderr.join("\n") };
}

export async function expectSeeded(database: Database) {
  const user = await findUserByEmail(database.db, DEMO_USER.email);
  expect(user).toBeDefined();
  expect(await listNotes(database.db, user?.id ?? "")).toHaveLength(3);
}
