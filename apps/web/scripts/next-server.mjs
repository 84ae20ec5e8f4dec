// `pnpm dev` / `pnpm start`: runs `next dev` or `next start` bound to loopback unless the
// operator opts in. Next's own default is every interface, which puts a development server
// (its error overlay, the demo account, source maps) on the local network.
// GATEHOUSE_HOSTNAME sets the address: `0.0.0.0` or `::` for all interfaces (a container,
// a phone on the LAN); unset or empty → 127.0.0.1, which http://localhost:3000 also reaches.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { pathToFileURL } from "node:url";

export const LOOPBACK = "127.0.0.1";

/** The arguments for Next's CLI: the caller's, plus `--hostname` unless they gave one. */
export function nextArguments(command, args, environment) {
  if (command !== "dev" && command !== "start") throw new Error(`next-server: expected dev or start, got ${command}`);
  if (args.some((arg) => arg === "-H" || arg === "--hostname" || arg.startsWith("--hostname="))) {
    return [command, ...args];
  }
  const hostname = environment.GATEHOUSE_HOSTNAME?.trim() || LOOPBACK;
  if (!/^[\w.:[\]%-]+$/.test(hostname) || hostname.startsWith("-")) {
    throw new Error(`GATEHOUSE_HOSTNAME is not a host name or address: ${JSON.stringify(hostname)}`);
  }
  return [command, ...args, "--hostname", hostname];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [command = "", ...args] = process.argv.slice(2);
  let nextArgs;
  try {
    nextArgs = nextArguments(command, args, process.env);
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  const next = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const child = spawn(process.execPath, [next, ...nextArgs], { stdio: "inherit" });
  // Ctrl-C reaches both (one process group); a supervisor's SIGTERM is passed on.
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
}
