#!/usr/bin/env node
// Runs a command with GATEHOUSE_TEST_PG_URL pointing at a real Postgres server, so the
// same suites that run on PGlite run again on Postgres (each test creates and drops its
// own database there). The server is the one at GATEHOUSE_TEST_PG_URL, or 127.0.0.1:5432.
// Outside CI, a machine without a server gets a loud notice and the leg is not run;
// in CI (CI=true) that is a failure.
import { spawnSync } from "node:child_process";
import { postgresAnswers, testPostgresUrl as url } from "./lib/test-postgres.mjs";

const { hostname, port } = new URL(url);
const reachable = await postgresAnswers(url);

if (!reachable) {
  const message = `No Postgres server answers at ${hostname}:${port || 5432}; the real-Postgres leg did not run.`;
  if (process.env.CI) {
    console.error(`✗ ${message}`);
    process.exit(1);
  }
  console.warn(`\n⚠ ${message}\n  Start one (docker compose up -d db) or set GATEHOUSE_TEST_PG_URL.\n`);
  process.exit(0);
}

const [command, ...args] = process.argv.slice(2);
const result = spawnSync(command, args, {
  stdio: "inherit",
  env: { ...process.env, GATEHOUSE_TEST_PG_URL: url },
  shell: process.platform === "win32",
});
process.exit(result.status ?? 1);
