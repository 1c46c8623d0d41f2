// Where a statistic "should" be, from the window of earlier valid partitions: a robust
// centre (median) and scale (MAD), floored by the sampling noise expected for the current
// partition's size, so a constant history (std = 0) or a tiny partition does not turn every
// wobble into an alarm.
import { QUANTILE_ACCURACY } from "./quantile-sketch.ts";
import { SHARE_STATISTICS } from "./summary.ts";

/** Median of the first `n` values of `values` (reordered in place). */
export function median(values: Float64Array | number[], n = values.length): number {
  if (n === 0) return NaN;
  const sorted = Array.prototype.slice.call(values, 0, n).sort((a: number, b: number) => a - b) as number[];
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Baseline {
  /** Robust centre: the window's median. */
  center: number;
  /** Scale: max(1.4826·MAD, sampling-noise floor, numeric floor). */
  scale: number;
}

/** What the noise floor needs to know about the partitions being compared. */
export interface NoiseContext {
  /** Denominator of the statistic in the current partition (rows for coverage, values otherwise). */
  n: number;
  /** Sum of the denominators over the history window. */
  historyN: number;
  /** Median row-level std of the column over the window (for the mean's floor). */
  std: number;
  /** Median spread p95 − p5 of the column over the window (for the quantiles' floor). */
  spread: number;
}

const Q: Record<string, number> = { p5: 0.05, p50: 0.5, p95: 0.95 };

/** The smallest scale a statistic can honestly have, given sampling noise. */
export function noiseFloor(statistic: string, center: number, history: number[], ctx: NoiseContext): number {
  const numeric = 1e-9 * Math.max(1, Math.abs(center));
  const n = Math.max(1, ctx.n);
  if (SHARE_STATISTICS.has(statistic)) {
    // Binomial noise of the difference of two shares; the +1/+2 (Laplace) keeps a share that
    // was always exactly 0 or 1 from having zero variance.
    let mean = 0;
    for (const h of history) mean += h;
    mean /= Math.max(1, history.length);
    const big = Math.max(1, ctx.historyN);
    const p = (mean * big + 1) / (big + 2);
    return Math.max(numeric, Math.sqrt(p * (1 - p) * (1 / n + 1 / big)));
  }
  switch (statistic) {
    case "mean":
      return Math.max(numeric, ctx.std / Math.sqrt(n));
    case "std":
      return Math.max(numeric, ctx.std / Math.sqrt(2 * n));
    case "p5":
    case "p50":
    case "p95": {
      // Sampling error of a quantile, with the density read off the p5–p95 spread.
      const q = Q[statistic]!;
      const sampling = (Math.sqrt((q * (1 - q)) / n) * ctx.spread) / 0.9;
      return Math.max(numeric, sampling, QUANTILE_ACCURACY * Math.abs(center));
    }
    case "distinct":
      return Math.max(1, Math.sqrt(Math.abs(center)), 0.023 * Math.abs(center));
    case "lengthP95":
      return Math.max(0.5, QUANTILE_ACCURACY * Math.abs(center));
    default:
      return numeric;
  }
}

const scratch: number[] = [];

export function baselineOf(statistic: string, history: number[], ctx: NoiseContext): Baseline {
  const center = median(history);
  scratch.length = 0;
  for (const h of history) scratch.push(Math.abs(h - center));
  let spread = 1.4826 * median(scratch);
  if (spread === 0) {
    // More than half the window sits on the centre: the mean absolute deviation still sees the rest.
    let sum = 0;
    for (const d of scratch) sum += d;
    spread = (1.2533 * sum) / Math.max(1, scratch.length);
  }
  return { center, scale: Math.max(spread, noiseFloor(statistic, center, history, ctx)) };
}
