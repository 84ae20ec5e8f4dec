#!/usr/bin/env node
// Runs a command with GATEHOUSE_TEST_PG_URL pointing at a real Postgres server, so the
// same suites that run on PGlite run again on Postgres (each test creates and drops its
// own database there). The server is the one at GATEHOUSE_TEST_PG_URL, or 127.0.0.1:5432.
// Outside CI, a machine without a server gets a loud notice and the leg is not run;
// in CI (CI=true) that is a failure.
import { spawnSync } from "node:child_process";
import net from "node:net";

const url = process.env.GATEHOUSE_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const { hostname, port } = new URL(url);

const reachable = await new Promise((resolve) => {
  const socket = net.connect({ host: hostname, port: Number(port || 5432) });
  socket.setTimeout(2000);
  socket.once("connect", () => resolve(socket.end() && true));
  socket.once("error", () => resolve(false));
  socket.once("timeout", () => resolve(socket.destroy() && false));
});

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
