/** Entry point of `pnpm db:studio [--port 4983]` (see studio.ts). */
import { parseArgs } from "node:util";
import { env } from "../env";
import { loadDotenv } from "../load-dotenv";
import { startStudio } from "./studio";

loadDotenv();
const { values } = parseArgs({ options: { port: { type: "string", default: "4983" } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  console.error("error: --port must be a port number");
  process.exit(2);
}
try {
  const studio = await startStudio(env(), { port });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void studio.close());
  studio.child.once("exit", (code) => void studio.close().then(() => process.exit(code ?? 0)));
} catch (error) {
  console.error(`error: cannot open the database: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
