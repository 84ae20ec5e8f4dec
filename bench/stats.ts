/** Statistics shared by the bench modules. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The `q`-quantile (0–1) of `values`, nearest rank. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/**
 * Alternates two operations op by op (which goes first swaps every op) and times each one:
 * medians of per-op latency shrug off the load spikes that make slot-level ratios swing ±10%
 * on a busy 2-core machine. Returns median(other) / median(base).
 */
export async function pairedMedianRatio(base: () => unknown, other: () => unknown, ops: number): Promise<number> {
  const times: [number[], number[]] = [[], []];
  const time = async (slot: 0 | 1, run: () => unknown) => {
    const t0 = performance.now();
    await run();
    times[slot].push(performance.now() - t0);
  };
  for (let i = 0; i < ops; i++) {
    if (i % 2) {
      await time(1, other);
      await time(0, base);
    } else {
      await time(0, base);
      await time(1, other);
    }
  }
  return median(times[1]) / median(times[0]);
}
