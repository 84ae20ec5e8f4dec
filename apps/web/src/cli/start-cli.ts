/**
 * The CLI as a process runs it: the app's `.env` files first (so it never opens another
 * database than the app would), then the validated environment, then `run`.
 */
import { createDb, type Database } from "@gatehouse/db/client";
import { type Env, env } from "../env";
import { type LoadDotenvOptions, loadDotenv } from "../load-dotenv";
import type { Output } from "./cli-error";
import { run } from "./run";

export async function startCli(
  argv: readonly string[],
  output: Output,
  dotenv: LoadDotenvOptions = {},
): Promise<number> {
  loadDotenv(dotenv);
  return run(argv, {
    output,
    openDatabase: (purpose) => openCliDatabase(env(), purpose),
    environment: () => env().apiKeyEnvironment,
    currentJwks: () => env().jwks,
  });
}

/** The app's database; `"migrate"` applies pending migrations even through the embedded database's owner. */
export function openCliDatabase(
  config: Pick<Env, "databaseUrl" | "pgliteDir">,
  purpose?: "migrate",
): Promise<Database> {
  return createDb({
    url: config.databaseUrl,
    dataDir: config.pgliteDir,
    migrate: purpose === "migrate" ? "through-owner" : true,
  });
}
