/**
 * `pnpm bench:http` — what protection costs over HTTP (issue #12 §1, §3, §4). Not part of
 * `npm test`: it builds the app and runs for ~10 minutes.
 *
 * Servers: `next start` (production build) on Postgres and on PGlite, and the same router on
 * tRPC's standalone Node adapter (on Postgres): our share without Next in the way.
 * Cases: `/api/health` (Next's own floor), a public procedure (`auth.session`, no credential:
 * the floor for ours), and the protected `auth.me` with a cached JWT, a JWT never seen before
 * (one per request), an API key (cached; and, on a second start with API_KEY_CACHE_TTL_MS=0,
 * uncached), and a session cookie. Load: autocannon in this process, loopback, 10 connections,
 * bounded in time; rounds with the order rotated; medians with min–max over rounds. Server
 * CPU per request from /proc/<pid>/stat of the server's process tree.
 * Then: protected p99 idle vs during a burst of 8 concurrent password logins, logins/s; cold
 * start; RSS idle and after many requests with 10 000 distinct tokens and keys.
 *
 * Options (environment): BENCH_HTTP_ROUNDS (5), BENCH_HTTP_SECONDS (3), BENCH_HTTP_MEMORY_REQUESTS
 * (100000), BENCH_HTTP_SKIP_BUILD=1 (reuse apps/web/.next). Needs Postgres at
 * GATEHOUSE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { availableParallelism, cpus, loadavg } from "node:os";
import { median } from "../stats";
import { send } from "./client";
import { EMAIL, type Fixtures, PASSWORD, prepareFixtures, signTokens } from "./fixtures";
import { checkAnswer, type LoadResult, type RequestCase, runLoad } from "./load";
import { runPaced } from "./paced-load";
import { rssMiB } from "./process-stats";
import { type RunningServer, type ServerKind, startServer, WEB_DIR } from "./server";

const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const MEMORY_REQUESTS = Number(process.env.BENCH_HTTP_MEMORY_REQUESTS ?? 100_000);
const CONNECTIONS = 10;
const DISTINCT = 10_000;
const LOGIN_WORKERS = 8;
const BURST_RATE = 100; // protected requests per second during the login comparison
const PORT_BASE = 39_400 + Math.floor(Math.random() * 400);

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const spread = (values: number[], digits = 2) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
const log = (line: string) => console.log(`[bench:http ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Target {
  name: string;
  kind: ServerKind;
  database: "postgres" | "pglite";
  /** The extra runs (login burst, memory) only where they say something new. */
  extras: boolean;
}

const TARGETS: Target[] = [
  { name: "next start, Postgres", kind: "next", database: "postgres", extras: true },
  { name: "next start, PGlite", kind: "next", database: "pglite", extras: true },
  { name: "tRPC standalone adapter, Postgres", kind: "standalone", database: "postgres", extras: false },
];

function cases(kind: ServerKind, fixtures: Fixtures, token: string, fresh: string[]): RequestCase[] {
  const me = "/api/trpc/auth.me";
  const subject = `"subject":"${fixtures.userId}"`;
  const list: RequestCase[] = [
    {
      name: "public procedure (auth.session, no credential)",
      path: "/api/trpc/auth.session",
      headers: () => ({}),
      expect: '"json":null',
    },
    // The same answer and the same verify as the next row, without the middleware that refuses an anonymous
    // caller: what the check itself costs, apart from verifying the credential and sending a larger answer.
    {
      name: "public procedure, cached JWT (same answer as auth.me)",
      path: "/api/trpc/auth.session",
      headers: () => ({ authorization: `Bearer ${token}` }),
      expect: subject,
    },
    { name: "protected, cached JWT", path: me, headers: () => ({ authorization: `Bearer ${token}` }), expect: subject },
    {
      name: "protected, fresh JWT per request",
      path: me,
      headers: (i) => ({ authorization: `Bearer ${fresh[i % fresh.length]}` }),
      expect: subject,
    },
    {
      name: "protected, API key (cached)",
      path: me,
      headers: () => ({ "x-api-key": fixtures.apiKey }),
      expect: subject,
    },
    {
      name: "protected, session cookie",
      path: me,
      headers: () => ({ cookie: `__Host-gatehouse_session=${token}` }),
      expect: subject,
    },
  ];
  if (kind === "next") list.unshift({ name: "/api/health", path: "/api/health", headers: () => ({}), expect: '"ok"' });
  return list;
}

/** Rounds with the order rotated; per case: every round's result. */
async function rounds(server: RunningServer, list: RequestCase[], count = ROUNDS): Promise<Map<string, LoadResult[]>> {
  const results = new Map<string, LoadResult[]>(list.map((c) => [c.name, []]));
  for (const c of list) {
    await checkAnswer(server.origin, c);
    await runLoad(server.origin, server.pid, c, { connections: CONNECTIONS, seconds: 1 }); // warm-up
  }
  for (let round = 0; round < count; round++) {
    for (let k = 0; k < list.length; k++) {
      const c = list[(k + round) % list.length] as RequestCase;
      const result = await runLoad(server.origin, server.pid, c, { connections: CONNECTIONS, seconds: SECONDS });
      if (result.failures) throw new Error(`${c.name}: ${result.failures} failed requests`);
      results.get(c.name)?.push(result);
    }
    log(`  round ${round + 1}/${count} done`);
  }
  return results;
}

function table(results: Map<string, LoadResult[]>, floorName: string): string[] {
  const floor = results.get(floorName) as LoadResult[];
  const rows = [
    "| case | req/s | server CPU µs/req | p99 ms | req/s ÷ public | CPU/req ÷ public |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, runs] of results) {
    const rps = runs.map((r, i) => r.requestsPerSecond / (floor[i] as LoadResult).requestsPerSecond);
    const cpu = runs.map((r, i) => r.cpuPerRequestUs / (floor[i] as LoadResult).cpuPerRequestUs);
    rows.push(
      `| ${name} | ${spread(
        runs.map((r) => r.requestsPerSecond),
        0,
      )} | ${spread(
        runs.map((r) => r.cpuPerRequestUs),
        0,
      )} | ${fmt(median(runs.map((r) => r.p99Ms)))} | ${spread(rps)} | ${spread(cpu)} |`,
    );
  }
  return rows;
}

/** Medians over rounds of `name` ÷ `floor` in req/s, and of floor CPU/req ÷ its CPU/req (each round against its own). */
function pairedRatios(
  results: Map<string, LoadResult[]>,
  name: string,
  floorName: string,
): { rps: number; cpu: number } {
  const runs = results.get(name) as LoadResult[];
  const floor = results.get(floorName) as LoadResult[];
  return {
    rps: median(runs.map((r, i) => r.requestsPerSecond / (floor[i] as LoadResult).requestsPerSecond)),
    cpu: median(runs.map((r, i) => (floor[i] as LoadResult).cpuPerRequestUs / r.cpuPerRequestUs)),
  };
}

async function loginBurst(server: RunningServer, token: string): Promise<string[]> {
  const protectedCase: RequestCase = {
    name: "protected, cached JWT (rate-limited)",
    path: "/api/trpc/auth.me",
    headers: () => ({ authorization: `Bearer ${token}` }),
    expect: "subject",
  };
  const form = new URLSearchParams({ grant_type: "password", username: EMAIL, password: PASSWORD }).toString();
  const idle: number[] = [];
  const burst: number[] = [];
  const idleP50: number[] = [];
  const burstP50: number[] = [];
  const ratios: number[] = [];
  const loginsPerSecond: number[] = [];
  let loginFailures = 0;
  let protectedFailures = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const quiet = await runPaced(server.origin, server.pid, protectedCase, { rate: BURST_RATE, seconds: SECONDS });
    let stop = false;
    let ok = 0;
    const started = performance.now();
    const agent = new Agent({ keepAlive: true, maxSockets: LOGIN_WORKERS });
    const tokenUrl = new URL("/api/token", server.origin);
    const workers = Array.from({ length: LOGIN_WORKERS }, async () => {
      while (!stop) {
        const { status, body } = await send(agent, tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: form,
        });
        const token = status === 200 ? (JSON.parse(body) as { access_token?: unknown }).access_token : undefined;
        if (typeof token === "string") ok++;
        else loginFailures++;
      }
    });
    const busy = await runPaced(server.origin, server.pid, protectedCase, { rate: BURST_RATE, seconds: SECONDS });
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    loginsPerSecond.push(ok / ((performance.now() - started) / 1000));
    protectedFailures += quiet.failures + busy.failures;
    idle.push(quiet.p99Ms);
    burst.push(busy.p99Ms);
    idleP50.push(quiet.p50Ms);
    burstP50.push(busy.p50Ms);
    ratios.push(busy.p99Ms / quiet.p99Ms);
  }
  return [
    `Protected calls at ${BURST_RATE} req/s (cached JWT; paced open loop, latency counted from each request's due time), ${ROUNDS} rounds of ${SECONDS} s idle then ${SECONDS} s beside ${LOGIN_WORKERS} concurrent password logins (POST /api/token):`,
    "",
    `- p50 idle: ${spread(idleP50, 1)} ms; p50 during logins: ${spread(burstP50, 1)} ms`,
    `- p99 idle: ${spread(idle, 1)} ms; p99 during logins: ${spread(burst, 1)} ms; ratio (per round): ${spread(ratios)} — target ≤ 1.5 ${median(ratios) <= 1.5 ? "✓" : "✗"}`,
    `- logins/s: ${spread(loginsPerSecond, 1)} — target ≥ 40 ${median(loginsPerSecond) >= 40 ? "✓" : "✗"}`,
    `- failed or wrong answers: ${loginFailures} logins, ${protectedFailures} protected calls`,
  ];
}

async function memory(server: RunningServer, fixtures: Fixtures, tokens: string[]): Promise<string[]> {
  const idleRss = rssMiB(server.pid);
  const mixed: RequestCase = {
    name: "distinct tokens and keys",
    path: "/api/trpc/auth.me",
    headers: (i): Record<string, string> =>
      i % 2
        ? { "x-api-key": fixtures.moreApiKeys[(i >> 1) % fixtures.moreApiKeys.length] as string }
        : { authorization: `Bearer ${tokens[(i >> 1) % tokens.length]}` },
    expect: "subject",
  };
  const result = await runLoad(server.origin, server.pid, mixed, { connections: CONNECTIONS, amount: MEMORY_REQUESTS });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const afterRss = rssMiB(server.pid);
  return [
    `- RSS before: ${idleRss.toFixed(0)} MiB; after ${result.total} requests alternating ${tokens.length} distinct JWTs and ${fixtures.moreApiKeys.length} distinct API keys: ${afterRss.toFixed(0)} MiB (+${(afterRss - idleRss).toFixed(0)} MiB); ${result.failures} failed; ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuPerRequestUs.toFixed(0)} µs CPU/req`,
  ];
}

async function devColdStart(): Promise<string> {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dataDir = await mkdtemp(`${tmpdir()}/gatehouse-bench-dev-`);
  const port = PORT_BASE + 90;
  const started = performance.now();
  // What `npm start` runs (turbo → scripts/next-server.mjs dev), on a port of our own and a fresh data folder.
  const child = spawn(process.execPath, ["scripts/next-server.mjs", "dev", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "ignore",
  });
  try {
    while (performance.now() - started < 180_000) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/login`, { signal: AbortSignal.timeout(60_000) });
        const html = await response.text();
        if (response.status === 200 && /sign in/i.test(html))
          return `${((performance.now() - started) / 1000).toFixed(1)} s`;
      } catch {
        // compiling or not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return "no sign-in page within 180 s";
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function build(): Promise<void> {
  if (process.env.BENCH_HTTP_SKIP_BUILD === "1") return;
  log("next build (production)…");
  await new Promise<void>((resolve, reject) => {
    const child = spawn("pnpm", ["exec", "next", "build"], {
      cwd: WEB_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: "inherit",
    });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build exited ${code}`))));
  });
}

async function main(): Promise<void> {
  await build();
  const sections: string[] = [];
  const coldStarts: string[] = [];
  const ratios: string[] = [];
  for (const [t, target] of TARGETS.entries()) {
    const port = PORT_BASE + t * 10;
    const origin = `http://127.0.0.1:${port}`;
    log(`${target.name}: preparing database`);
    const fixtures = await prepareFixtures({
      database: target.database,
      origin,
      extraKeys: target.extras ? DISTINCT : 0,
    });
    try {
      const [token] = await signTokens(fixtures, 1);
      const fresh = await signTokens(fixtures, 5000);
      const readyPath = target.kind === "next" ? "/api/health" : "/api/trpc/auth.session";
      let server = await startServer(target.kind, port, fixtures.env, readyPath);
      coldStarts.push(
        `- ${target.name}: spawn → first 200 on ${readyPath}: ${(server.coldStartMs / 1000).toFixed(2)} s`,
      );
      const lines: string[] = [`### ${target.name}`, ""];
      try {
        log(`${target.name}: ${ROUNDS} rounds`);
        const main = await rounds(server, cases(target.kind, fixtures, token as string, fresh));
        lines.push(...table(main, "public procedure (auth.session, no credential)"), "");
        const check = pairedRatios(
          main,
          "protected, cached JWT",
          "public procedure, cached JWT (same answer as auth.me)",
        );
        ratios.push(
          `- ${target.name}, the check alone (auth.me ÷ auth.session, same JWT, same answer): req/s ${check.rps.toFixed(2)}×, CPU efficiency ${check.cpu.toFixed(2)}×`,
        );
        for (const name of ["protected, cached JWT", "protected, API key (cached)"]) {
          const { rps, cpu } = pairedRatios(main, name, "public procedure (auth.session, no credential)");
          ratios.push(
            `- ${target.name}, ${name}: req/s ${rps.toFixed(2)}×, CPU efficiency (public CPU/req ÷ this) ${cpu.toFixed(2)}× — target ≥ 0.95 ${rps >= 0.95 && cpu >= 0.95 ? "✓" : "✗"}`,
          );
        }
        if (target.extras) {
          log(`${target.name}: login burst`);
          lines.push("Logins beside protected calls:", "", ...(await loginBurst(server, token as string)), "");
          if (target.database === "postgres") {
            log(`${target.name}: memory (${MEMORY_REQUESTS} requests)`);
            lines.push("Memory:", "", ...(await memory(server, fixtures, await signTokens(fixtures, DISTINCT))), "");
          }
        }
      } finally {
        await server.stop();
      }
      // The uncached API key needs its own start: API_KEY_CACHE_TTL_MS=0.
      log(`${target.name}: API key cache off`);
      server = await startServer(target.kind, port, { ...fixtures.env, API_KEY_CACHE_TTL_MS: "0" }, readyPath);
      try {
        const uncachedCases = cases(target.kind, fixtures, token as string, fresh).filter((c) =>
          ["public procedure (auth.session, no credential)", "protected, API key (cached)"].includes(c.name),
        );
        const renamed = uncachedCases.map((c) =>
          c.name.startsWith("protected") ? { ...c, name: "protected, API key (cache off: one SELECT per request)" } : c,
        );
        const uncached = await rounds(server, renamed);
        lines.push("With `API_KEY_CACHE_TTL_MS=0` (a second start, its own public floor):", "");
        lines.push(...table(uncached, "public procedure (auth.session, no credential)"), "");
      } finally {
        await server.stop();
      }
      sections.push(lines.join("\n"));
      console.log(`\n${lines.join("\n")}\n`); // as it comes: a long run is readable before it ends
    } finally {
      await fixtures.cleanup();
    }
  }
  log("cold start of the dev server (what `npm start` runs)");
  coldStarts.push(
    `- \`npm start\` equivalent (\`next dev\` via scripts/next-server.mjs, fresh data folder) → first rendered sign-in page: ${await devColdStart()}`,
  );

  const machine = `Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? "?"}), load average at the end ${loadavg()[0]?.toFixed(1)}`;
  const text = [
    "## HTTP: protected vs public over the wire (`pnpm bench:http`)",
    "",
    `- Date: ${new Date().toISOString()}; ${machine}`,
    `- Command: \`pnpm bench:http\` (${ROUNDS} rounds × ${SECONDS} s per case, ${CONNECTIONS} connections, autocannon 9.0.0 in-process, loopback; order rotated each round; median (min–max) over rounds; server CPU from /proc/<pid>/stat of the server's process tree)`,
    "",
    "Targets (protected ÷ public ≥ 0.95 in req/s and CPU/request):",
    "",
    ...ratios,
    "",
    ...sections,
    "Cold start:",
    "",
    ...coldStarts,
  ].join("\n");
  console.log(`\n${text}`);
  await writeSection(text);
}

/** Replaces (or appends) the bench:http block of RESULTS.md; `pnpm bench` keeps it. */
async function writeSection(text: string): Promise<void> {
  const file = new URL("../RESULTS.md", import.meta.url);
  const begin = "<!-- bench:http -->";
  const end = "<!-- /bench:http -->";
  const current = await readFile(file, "utf8").catch(() => "");
  const block = `${begin}\n${text}\n${end}`;
  const at = current.indexOf(begin);
  const next =
    at === -1
      ? `${current.trimEnd()}\n\n${block}\n`
      : `${current.slice(0, at)}${block}${current.slice(current.indexOf(end) + end.length)}`;
  await writeFile(file, next);
  log("wrote bench/RESULTS.md (bench:http section)");
}

await main();
