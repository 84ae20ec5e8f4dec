#!/usr/bin/env node
// The whole suite, in the order that fails fastest: types and lint, unit and db tests on
// PGlite, the db-backed suites again on a real Postgres, then the browser flow.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { postgresAnswers, testPostgresUrl } from "./lib/test-postgres.mjs";

const pgUrl = new URL(testPostgresUrl);
const hasPostgres = await postgresAnswers();

const chromium = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium";
const steps = [
  ["lint", ["turbo", "run", "lint"]],
  ["typecheck", ["turbo", "run", "typecheck"]],
  ["unit + db tests (PGlite)", ["turbo", "run", "test"]],
  // Without a server (and outside CI, where that is a failure) this step is reported as skipped, not passed.
  ...(hasPostgres || process.env.CI
    ? [["db tests (real Postgres)", ["turbo", "run", "test:pg", "--concurrency=1"]]]
    : []),
  ...(existsSync(chromium)
    ? []
    : [
        [
          "browser download (no system Chromium)",
          ["pnpm", "--filter", "@gatehouse/web", "exec", "playwright", "install", "chromium"],
        ],
      ]),
  ["browser flow (Playwright)", ["turbo", "run", "e2e"]],
];

const started = Date.now();
let passed = 0;
const skipped = hasPostgres || process.env.CI ? 0 : 1;
if (skipped) {
  console.warn(`\n⚠ No Postgres at ${pgUrl.hostname}:${pgUrl.port || 5432}: the real-Postgres step is skipped.`);
  console.warn("  Start one (docker compose up -d db) or set GATEHOUSE_TEST_PG_URL to run it.");
}
for (const [name, [command, ...args]] of steps) {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed`);
    console.log(`\nsteps: ${passed} passed, 1 failed${skipped ? `, ${skipped} skipped` : ""}`);
    process.exit(result.status ?? 1);
  }
  passed++;
}
console.log(
  `\n✓ ${skipped ? "every step that ran" : "all steps"} passed in ${Math.round((Date.now() - started) / 1000)} s`,
);
console.log(`steps: ${passed} passed, 0 failed${skipped ? `, ${skipped} skipped` : ""}`);
