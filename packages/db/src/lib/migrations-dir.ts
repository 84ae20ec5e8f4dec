import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Where the generated SQL migrations live: `GATEHOUSE_MIGRATIONS_DIR`, else found by a walk
 * up from the working directory. Not `new URL(…, import.meta.url)`: bundlers (Next.js)
 * move this module and rewrite that expression into an asset import.
 */
export function resolveMigrationsDir(): string {
  const fromEnv = process.env.GATEHOUSE_MIGRATIONS_DIR;
  if (fromEnv) return fromEnv;
  const candidates: string[] = [];
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    candidates.push(
      path.join(/*turbopackIgnore: true*/ dir, "packages/db/drizzle"),
      path.join(/*turbopackIgnore: true*/ dir, "node_modules/@gatehouse/db/drizzle"),
    );
    if (path.dirname(dir) === dir) break;
  }
  const found = candidates.find((dir) => existsSync(path.join(/*turbopackIgnore: true*/ dir, "meta/_journal.json")));
  if (!found) throw new Error("Cannot find the @gatehouse/db migrations; set GATEHOUSE_MIGRATIONS_DIR");
  return found;
}
