/**
 * An open-loop load at a fixed rate: request `i` is due at `start + i / rate` and its latency
 * is counted from then, not from when a connection was free, so a stalled server shows up in
 * the percentiles instead of slowing the load down (no coordinated omission). autocannon's
 * own `overallRate` sends each second's quota as a burst at the start of the second (10
 * connections at 100 req/s measured p50 15–19 ms against 2 ms on one connection), which made
 * an idle p99 of ~150 ms; that is queueing the generator made, not the server.
 */
import { Agent } from "node:http";
import { percentile } from "../stats";
import { send } from "./client";
import type { LoadResult, RequestCase } from "./load";
import { cpuSeconds } from "./process-stats";

export interface PacedOptions {
  rate: number;
  seconds: number;
}

export async function runPaced(
  origin: string,
  serverPid: number,
  requestCase: RequestCase,
  options: PacedOptions,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(requestCase.path, origin);
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let failures = 0;
  const cpu0 = cpuSeconds(serverPid);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      send(agent, url, { headers: requestCase.headers(i) }).then(
        ({ status, body }) => {
          latencies.push(performance.now() - due);
          if (status !== 200 || !body.includes(requestCase.expect)) failures++;
        },
        () => {
          failures++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(serverPid) - cpu0;
  agent.destroy();
  return {
    requestsPerSecond: latencies.length / seconds,
    cpuPerRequestUs: latencies.length ? (cpu * 1e6) / latencies.length : Number.NaN,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    total: latencies.length,
    failures,
  };
}
