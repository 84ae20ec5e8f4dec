/**
 * Entry point of `pnpm gatehouse …` (see run.ts). Loads `apps/web/.env*` as the app does, then
 * opens the same database as the app: the Postgres at DATABASE_URL, or the embedded one,
 * reached through the dev server when that owns it (it serves the folder on a loopback port)
 * and opened directly otherwise.
 */
import { startCli } from "./start-cli";

process.exitCode = await startCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
