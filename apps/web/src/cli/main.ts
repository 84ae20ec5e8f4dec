/**
 * Entry point of `pnpm gatehouse …` (see run.ts). Opens the same database as the app: the
 * Postgres at DATABASE_URL, or the embedded one, reached through the dev server when that
 * owns it (it serves the folder on a loopback port) and opened directly otherwise.
 */
import { createDb } from "@gatehouse/db/client";
import { env } from "../env";
import { CliError } from "./cli-error";
import { run } from "./run";

const exitCode = await run(process.argv.slice(2), {
  output: {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
  openDatabase() {
    const config = env();
    return createDb({ url: config.databaseUrl, dataDir: config.pgliteDir });
  },
  environment: () => env().apiKeyEnvironment,
  async readSecret() {
    // Piped only: typed at a terminal it would be echoed on screen.
    if (process.stdin.isTTY) throw new CliError("Pipe the new password on standard input (it is never an argument)");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  // Imported only for this command: the router brings the whole server with it.
  openApiDocument: async () => (await import("../server/openapi/app-openapi-document")).appOpenApiDocument(),
});
process.exitCode = exitCode;
