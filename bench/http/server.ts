/**
 * Starts the server under test as a child process on a loopback port: `next start` (the
 * production build) or the same router on tRPC's standalone adapter. Measures the cold start
 * (spawn → first 200 on the readiness URL) and stops it by its own pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const WEB_DIR = fileURLToPath(new URL("../../apps/web/", import.meta.url));
const STANDALONE = fileURLToPath(new URL("./standalone-server.ts", import.meta.url));
const nextBin = createRequire(`${WEB_DIR}package.json`).resolve("next/dist/bin/next");

export type ServerKind = "next" | "standalone";

export interface RunningServer {
  kind: ServerKind;
  origin: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 on `readyPath`. */
  coldStartMs: number;
  stop(): Promise<void>;
}

export async function startServer(
  kind: ServerKind,
  port: number,
  env: Record<string, string>,
  readyPath: string,
): Promise<RunningServer> {
  const origin = `http://127.0.0.1:${port}`;
  const args =
    kind === "next"
      ? [nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"]
      : ["--conditions=react-server", "--import", "tsx", STANDALONE];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: WEB_DIR,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const coldStartMs = await waitFor200(`${origin}${readyPath}`, child, started, () => stderr);
  return {
    kind,
    origin,
    pid: child.pid as number,
    coldStartMs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitFor200(url: string, child: ChildProcess, started: number, stderr: () => string): Promise<number> {
  const deadline = started + 120_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`server exited (${child.exitCode}) before ${url} answered:\n${stderr()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGKILL");
  throw new Error(`no 200 from ${url} within 120 s:\n${stderr()}`);
}
