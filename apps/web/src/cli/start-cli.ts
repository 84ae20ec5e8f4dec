/**
 * The CLI as a process runs it: the app's `.env` files first (so it never opens another
 * database than the app would), then the validated environment, then `run`.
 */
import { createDb, type Database } from "@gatehouse/db/client";
import { type Env, env } from "../env";
import { type LoadDotenvOptions, loadDotenv } from "../load-dotenv";
import { CliError, type Output } from "./cli-error";
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
    readSecret: readPipedSecret,
    // Imported only for this command: the router brings the whole server with it.
    openApiDocument: async () => (await import("../server/openapi/app-openapi-document")).appOpenApiDocument(),
  });
}

/** Standard input, whole. Piped only: typed at a terminal a password would be echoed on screen. */
async function readPipedSecret(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError("Pipe the new password on standard input (it is never an argument)");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
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
