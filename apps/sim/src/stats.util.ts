/** Percentiles and summaries of latency samples, for the fleet simulator and the benchmarks. */

export interface SampleSummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The q-quantile (0 <= q <= 1) by the nearest-rank method: the smallest sample such that at least
 * q of all samples are <= it. Nearest rank never interpolates, so p99 of 100 samples is the 99th
 * smallest, and a reported value is always one that was observed.
 */
export function percentile(samples: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return nearestRank(sorted, q);
}

export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const count = sorted.length;
  if (count === 0) return { count, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count,
    min: sorted[0] as number,
    p50: nearestRank(sorted, 0.5),
    p90: nearestRank(sorted, 0.9),
    p99: nearestRank(sorted, 0.99),
    max: sorted[count - 1] as number,
    mean: total / count,
  };
}

function nearestRank(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}
