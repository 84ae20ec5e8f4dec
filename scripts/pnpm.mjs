#!/usr/bin/env node
// Runs pnpm with the given arguments on a machine that may have only Node and npm:
// uses a pnpm 10 on PATH if there is one, else installs the pinned pnpm once into
// ~/.cache/gatehouse (no corepack, no global install) and puts it on PATH for everything
// below (turbo and Playwright call `pnpm` themselves). Installs the workspace first when
// node_modules is missing or older than the lockfile. `npm start` and `npm test` go through here.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1", CI: process.env.CI ?? "" };
if (!env.CI) delete env.CI;

function onPath() {
  const probe = spawnSync("pnpm", ["--version"], { encoding: "utf8", shell: process.platform === "win32" });
  return probe.status === 0 && probe.stdout.trim().startsWith("10.");
}

if (!onPath()) {
  const prefix = path.join(os.homedir(), ".cache", "gatehouse", `pnpm-${pinned}`);
  const bin = path.join(prefix, "node_modules", ".bin");
  if (!existsSync(path.join(bin, "pnpm"))) {
    console.log(`Installing pnpm ${pinned} into ${prefix} (once)…`);
    const npm = spawnSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", `pnpm@${pinned}`], {
      stdio: "inherit",
      shell: process.platform === "win32",
    });
    if (npm.status !== 0) process.exit(npm.status ?? 1);
  }
  env.PATH = `${bin}${path.delimiter}${env.PATH ?? ""}`;
}

function run(args) {
  const result = spawnSync("pnpm", args, { cwd: root, stdio: "inherit", env, shell: process.platform === "win32" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const marker = path.join(root, "node_modules/.modules.yaml");
const lockfile = path.join(root, "pnpm-lock.yaml");
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lockfile).mtimeMs) {
  run(["install", "--frozen-lockfile"]);
}
run(process.argv.slice(2));
