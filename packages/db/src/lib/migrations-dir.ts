import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the generated SQL migrations live. Bundlers (Next.js) move this module, so
 * `import.meta.url` alone is not enough: `GATEHOUSE_MIGRATIONS_DIR` wins, then the folder
 * beside this source file, then a walk up from the working directory.
 */
export function resolveMigrationsDir(): string {
  const fromEnv = process.env.GATEHOUSE_MIGRATIONS_DIR;
  if (fromEnv) return fromEnv;
  const candidates: string[] = [];
  try {
    candidates.push(fileURLToPath(new URL("../../drizzle", import.meta.url)));
  } catch {
    // import.meta.url is not a file: URL inside some bundles.
  }
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, "packages/db/drizzle"), path.join(dir, "node_modules/@gatehouse/db/drizzle"));
    if (path.dirname(dir) === dir) break;
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, "meta/_journal.json")));
  if (!found) throw new Error("Cannot find the @gatehouse/db migrations; set GATEHOUSE_MIGRATIONS_DIR");
  return found;
}
