#!/usr/bin/env node
// The whole suite, in the order that fails fastest: types and lint, unit and db tests on
// PGlite, the db-backed suites again on a real Postgres, then the browser flow.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium";
const steps = [
  ["lint", ["turbo", "run", "lint"]],
  ["typecheck", ["turbo", "run", "typecheck"]],
  ["unit + db tests (PGlite)", ["turbo", "run", "test"]],
  ["db tests (real Postgres)", ["turbo", "run", "test:pg", "--concurrency=1"]],
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
for (const [name, [command, ...args]] of steps) {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed`);
    console.log(`\nsteps: ${passed} passed, 1 failed`);
    process.exit(result.status ?? 1);
  }
  passed++;
}
console.log(`\n✓ all steps passed in ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`steps: ${passed} passed, 0 failed`);
