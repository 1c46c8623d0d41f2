// Where a statistic "should" be, from the window of earlier valid partitions: a robust
// centre (median) and scale (MAD), floored by the sampling noise expected for the current
// partition's size, so a constant history (std = 0) or a tiny partition does not turn every
// wobble into an alarm.
import { QUANTILE_ACCURACY } from "./quantile-sketch.ts";
import { SHARE_STATISTICS } from "./summary.ts";

let buffer = new Float64Array(64);

/** Median of `values` (which is left untouched); a typed-array sort needs no comparator calls. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  if (buffer.length < n) buffer = new Float64Array(2 * n);
  const sorted = buffer.subarray(0, n);
  for (let i = 0; i < n; i++) sorted[i] = values[i]!;
  sorted.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Baseline {
  /** Robust centre: the window's median. */
  center: number;
  /** Spread: max(1.4826·MAD, largest deviation / tail factor). */
  scale: number;
}

/** What the noise floor needs to know about the partitions being compared. */
export interface NoiseContext {
  /** Denominator of the statistic in the current partition (rows for coverage, values otherwise). */
  n: number;
  /** Sum of the denominators over the history window. */
  historyN: number;
  /** The statistic's standard error in the current partition (summary.noise), or 0. */
  se: number;
  /** Median standard error over the window, or 0. */
  historySe: number;
}

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
  const sampling = Math.max(ctx.se, ctx.historySe);
  switch (statistic) {
    case "p5":
    case "p50":
    case "p95":
    case "lengthP95":
      return Math.max(numeric, sampling, QUANTILE_ACCURACY * Math.abs(center));
    case "distinct":
      return Math.max(1, Math.sqrt(Math.abs(center)), 0.023 * Math.abs(center));
    default:
      return Math.max(numeric, sampling);
  }
}

const scratch: number[] = [];

/**
 * The spread is at least a third of the window's largest deviation from its median, so at the
 * default threshold 7 a value must stray 7/3 ≈ 2.3 times further than any partition in the
 * window did: heavy-tailed statistics (max, a zero-inflated column's mean) calibrate
 * themselves. On the tuning split this took precision from 0.59 to 0.95 (docs/drift.md).
 */
const TAIL_FACTOR = 3;

/** Centre and spread of the history alone (the caller floors the spread with noiseFloor). */
export function baselineOf(history: number[]): Baseline {
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
  let largest = 0;
  for (const d of scratch) if (d > largest) largest = d;
  spread = Math.max(spread, largest / TAIL_FACTOR);
  return { center, scale: spread };
}
