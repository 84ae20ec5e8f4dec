/**
 * The app's tRPC router and context on tRPC's standalone Node adapter: the same procedures,
 * credentials and database as under `next start`, without Next.js in the way, so bench:http
 * can tell our share of a request's cost from Next's. Bench only; started by `run.ts` as
 *   node --conditions=react-server --import tsx standalone-server.ts   (cwd apps/web)
 * with the same environment as the Next server (PORT picks the port).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { appRouter } from "../../apps/web/src/server/routers/_app";
import { createContext } from "../../apps/web/src/server/trpc";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("standalone-server: PORT is required");

function toHeaders(raw: import("node:http").IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

const server = createHTTPServer({
  basePath: "/api/trpc/",
  router: appRouter,
  createContext: ({ req }) => createContext({ headers: toHeaders(req.headers) }),
});
server.listen(port, "127.0.0.1");
// http/profile.ts: SIGUSR2 starts the CPU profiler (after its warm-up, so start-up is not in
// the profile); SIGTERM writes it to BENCH_CPU_PROFILE and exits.
const profilePath = process.env.BENCH_CPU_PROFILE;
const session = profilePath ? new Session() : undefined;
if (session) {
  session.connect();
  process.on("SIGUSR2", () => {
    session.post("Profiler.enable", () => session.post("Profiler.start"));
  });
}
process.once("SIGTERM", () => {
  server.close();
  if (!session || !profilePath) process.exit(0);
  else
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(profilePath, JSON.stringify(result.profile));
      process.exit(0);
    });
});
console.log(`standalone tRPC server on http://127.0.0.1:${port}`);
