/**
 * The CLI as a process runs it: the app's `.env` files first (so it never opens another
 * database than the app would), then the validated environment, then `run`.
 */
import { createDb } from "@gatehouse/db/client";
import { env } from "../env";
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
    openDatabase() {
      const config = env();
      return createDb({ url: config.databaseUrl, dataDir: config.pgliteDir });
    },
    environment: () => env().apiKeyEnvironment,
    currentJwks: () => env().jwks,
  });
}
