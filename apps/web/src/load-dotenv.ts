/**
 * Loads `apps/web/.env*` into `process.env` the way `next dev` / `next start` do, for the
 * processes Next does not start: the `gatehouse` CLI, `pnpm db:*`, seeds. It is Next's own
 * loader (`@next/env`), so the files, their order and precedence are the app's: a variable
 * already in the environment wins, then `.env.<mode>.local`, `.env.local` (not in test),
 * `.env.<mode>`, `.env`; mode is `production` when NODE_ENV is, `test` when it is, else
 * `development`. Plain Node, no `server-only`: imported before `env()` is first called.
 */
import { fileURLToPath } from "node:url";
import nextEnv from "@next/env";

/** The app's folder, where Next reads `.env` (the one place for it in this repository). */
export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));

export interface LoadDotenvOptions {
  /** Where the files are. Default: the app's folder. */
  dir?: string;
  /** Read again even if this process loaded them already (tests). Default: false, as Next. */
  forceReload?: boolean;
}

/** Loads the files; returns the names of those it read (`[".env"]`). */
export function loadDotenv(options: LoadDotenvOptions = {}): string[] {
  const { loadedEnvFiles } = nextEnv.loadEnvConfig(
    options.dir ?? APP_DIR,
    process.env.NODE_ENV !== "production",
    {
      // Next prints "Environments: .env"; the CLI's stdout carries keys and tables, not that.
      info: () => {},
      error: (...args: unknown[]) => console.error(...args),
    },
    options.forceReload ?? false,
  );
  return loadedEnvFiles.map((file) => file.path);
}
