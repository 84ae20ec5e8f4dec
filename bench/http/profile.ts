/**
 * Where a request's CPU goes: the standalone tRPC server (our code unbundled, so every frame
 * names its file), profiled by V8 only while one case loads it (after a warm-up, start-up
 * excluded), then the profile's self time grouped by owner (ours, tRPC, superjson, zod, Node's HTTP, …).
 * Usage: `pnpm --filter @gatehouse/bench exec tsx http/profile.ts [seconds]` (Postgres as in run.ts).
 * Prints per case: share of self time per owner, and our top functions.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prepareFixtures, signTokens } from "./fixtures";
import { type RequestCase, runLoad } from "./load";
import { WEB_DIR } from "./server";

const SECONDS = Number(process.argv[2] ?? 8);
const STANDALONE = fileURLToPath(new URL("./standalone-server.ts", import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function owner(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "V8/native";
  if (url.includes("/packages/auth/")) return "ours: @gatehouse/auth";
  if (url.includes("/apps/web/src/")) return "ours: apps/web (context, router, middleware)";
  if (url.includes("/packages/db/")) return "ours: @gatehouse/db";
  if (url.includes("@trpc")) return "tRPC";
  if (url.includes("superjson")) return "superjson";
  if (url.includes("/zod")) return "zod";
  if (url.includes("tsx")) return "tsx loader";
  if (url.startsWith("node:")) return `Node: ${url.slice(5).split("/")[0]}`;
  return "other dependencies";
}

async function profileCase(env: Record<string, string>, port: number, request: RequestCase): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-cpu-prof-"));
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", STANDALONE], {
    cwd: WEB_DIR,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      NODE_ENV: "production",
      BENCH_CPU_PROFILE: path.join(dir, "server.cpuprofile"),
    },
    stdio: "ignore",
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const up = await fetch(`${origin}/api/trpc/auth.session`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await runLoad(origin, child.pid as number, request, { connections: 10, seconds: 2 }); // warm-up
  child.kill("SIGUSR2");
  await new Promise((resolve) => setTimeout(resolve, 200));
  const result = await runLoad(origin, child.pid as number, request, { connections: 10, seconds: SECONDS });
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  const file = (await readdir(dir)).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error("no profile written");
  const profile = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { nodes: ProfileNode[] };
  await rm(dir, { recursive: true, force: true });
  const byOwner = new Map<string, number>();
  const ours = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits || node.callFrame.functionName === "(idle)") continue;
    total += hits;
    const who = owner(node.callFrame.url, node.callFrame.functionName);
    byOwner.set(who, (byOwner.get(who) ?? 0) + hits);
    if (who.startsWith("ours")) {
      const where = `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.split("/").slice(-2).join("/")}:${node.callFrame.lineNumber + 1}`;
      ours.set(where, (ours.get(where) ?? 0) + hits);
    }
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
  return [
    `#### ${request.name}: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuPerRequestUs.toFixed(0)} µs CPU/req (under --cpu-prof)`,
    "",
    "| owner | share of busy samples |",
    "| --- | ---: |",
    ...[...byOwner].sort((a, b) => b[1] - a[1]).map(([who, n]) => `| ${who} | ${pct(n)} |`),
    "",
    "Our top functions (self time):",
    "",
    ...[...ours]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([where, n]) => `- ${pct(n)} \`${where}\``),
    "",
  ];
}

const port = 39_300 + Math.floor(Math.random() * 90);
const fixtures = await prepareFixtures({ database: "postgres", origin: `http://127.0.0.1:${port}`, extraKeys: 0 });
try {
  const [token] = await signTokens(fixtures, 1);
  const lines: string[] = [];
  for (const request of [
    { name: "public procedure", path: "/api/trpc/auth.session", headers: () => ({}), expect: "" },
    {
      name: "protected, cached JWT",
      path: "/api/trpc/auth.me",
      headers: () => ({ authorization: `Bearer ${token}` }),
      expect: "",
    },
    {
      name: "protected, API key (cached)",
      path: "/api/trpc/auth.me",
      headers: () => ({ "x-api-key": fixtures.apiKey }),
      expect: "",
    },
  ] satisfies RequestCase[]) {
    lines.push(...(await profileCase(fixtures.env, port, request)));
  }
  console.log(lines.join("\n"));
} finally {
  await fixtures.cleanup();
}
