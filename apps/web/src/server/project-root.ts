import { existsSync } from "node:fs";
import path from "node:path";

/** The monorepo root (where pnpm-workspace.yaml is), or the working directory outside one. */
export function findProjectRoot(start = process.cwd()): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(/*turbopackIgnore: true*/ dir, "pnpm-workspace.yaml"))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}
