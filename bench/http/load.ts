/**
 * One bounded autocannon run against a running server, in this process (loopback), with the
 * server's CPU read from /proc around it. A request case names a path and how each request
 * gets its credential (fixed headers, or one drawn per request from a list).
 */
import autocannon from "autocannon";
import { cpuSeconds } from "./process-stats";

export interface RequestCase {
  name: string;
  path: string;
  /** Headers for request number `i` (a fresh token per request, or always the same). */
  headers: (i: number) => Record<string, string>;
  /** What a correct answer's body contains (checked once before the rounds). */
  expect: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Server CPU (all its threads: argon2 too) per request, µs. */
  cpuPerRequestUs: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Non-2xx answers, socket errors and timeouts: must be 0. */
  failures: number;
}

export interface LoadOptions {
  connections: number;
  seconds?: number;
  amount?: number;
}

export async function runLoad(
  origin: string,
  serverPid: number,
  request: RequestCase,
  options: LoadOptions,
): Promise<LoadResult> {
  let i = 0;
  const cpu0 = cpuSeconds(serverPid);
  const started = performance.now();
  const result = await autocannon({
    url: origin,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 3 }),
    requests: [
      {
        method: "GET",
        path: request.path,
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...request.headers(i++) } }),
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(serverPid) - cpu0;
  const total = result.requests.total;
  return {
    requestsPerSecond: total / seconds,
    cpuPerRequestUs: total ? (cpu * 1e6) / total : Number.NaN,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** One request with `fetch`: the answer must be 200 and contain `request.expect`. */
export async function checkAnswer(origin: string, request: RequestCase): Promise<void> {
  const response = await fetch(`${origin}${request.path}`, { headers: request.headers(0) });
  const body = await response.text();
  if (response.status !== 200 || !body.includes(request.expect)) {
    throw new Error(
      `${request.name}: expected 200 with ${request.expect}, got ${response.status} ${body.slice(0, 300)}`,
    );
  }
}
