/**
 * Entry point of `pnpm gatehouse …` (see run.ts). Opens the same database as the app: the
 * Postgres at DATABASE_URL, or the embedded one, reached through the dev server when that
 * owns it (it serves the folder on a loopback port) and opened directly otherwise.
 */
import { createDb } from "@gatehouse/db/client";
import { env } from "../env";
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
  // Imported only for this command: the router brings the whole server with it.
  openApiDocument: async () => (await import("../server/openapi/app-openapi-document")).appOpenApiDocument(),
});
process.exitCode = exitCode;
