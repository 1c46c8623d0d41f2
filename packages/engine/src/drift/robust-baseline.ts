// Where a statistic "should" be, from the window of earlier valid partitions: a robust
// centre (median) and scale (MAD), floored by the sampling noise expected for the current
// partition's size, so a constant history (std = 0) or a tiny partition does not turn every
// wobble into an alarm.
import { QUANTILE_ACCURACY } from "./quantile-sketch.ts";
import { SHARE_STATISTICS } from "./summary.ts";

/** Median of `values` (which is left untouched). */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Baseline {
  /** Robust centre: the window's median. */
  center: number;
  /** Spread: max(1.4826·MAD, largest deviation / tail factor). */
  scale: number;
  /** The values' mean (summed in sorted order, so it depends only on the set of values); NaN unless asked for. */
  mean: number;
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

/** How a statistic's noise floor is found (noiseFloorOf), so the hot path compares numbers, not names. */
export const FloorKind = { Share: 0, Quantile: 1, Distinct: 2, Extreme: 3, Other: 4 } as const;
export type FloorKind = (typeof FloorKind)[keyof typeof FloorKind];

export function floorKindOf(statistic: string): FloorKind {
  if (SHARE_STATISTICS.has(statistic)) return FloorKind.Share;
  switch (statistic) {
    case "p5":
    case "p50":
    case "p95":
    case "lengthP95":
      return FloorKind.Quantile;
    case "distinct":
      return FloorKind.Distinct;
    case "min":
    case "max":
      return FloorKind.Extreme;
    default:
      return FloorKind.Other;
  }
}

/** The smallest scale a statistic can honestly have, given sampling noise. */
export function noiseFloor(statistic: string, center: number, historyMean: number, ctx: NoiseContext): number {
  return noiseFloorOf(floorKindOf(statistic), center, historyMean, ctx);
}

export function noiseFloorOf(kind: FloorKind, center: number, historyMean: number, ctx: NoiseContext): number {
  const numeric = 1e-9 * Math.max(1, Math.abs(center));
  const n = Math.max(1, ctx.n);
  if (kind === FloorKind.Share) {
    // Binomial noise of the difference of two shares; the +1/+2 (Laplace) keeps a share that
    // was always exactly 0 or 1 from having zero variance.
    const big = Math.max(1, ctx.historyN);
    const p = (historyMean * big + 1) / (big + 2);
    return Math.max(numeric, Math.sqrt(p * (1 - p) * (1 / n + 1 / big)));
  }
  const sampling = Math.max(ctx.se, ctx.historySe);
  switch (kind) {
    case FloorKind.Quantile:
      return Math.max(numeric, sampling, QUANTILE_ACCURACY * Math.abs(center));
    case FloorKind.Distinct:
      return Math.max(1, Math.sqrt(Math.abs(center)), 0.023 * Math.abs(center));
    case FloorKind.Extreme:
      // The gaps the window's partitions had near their extremes (summary.ts), not the current
      // partition's: a corruption widens its own gap. Without this floor a bounded column's max
      // looks impossibly stable (clean synthetic years flagged 25–45 of 365 days).
      return Math.max(numeric, ctx.historySe);
    default:
      return Math.max(numeric, sampling);
  }
}

/**
 * The spread is at least a third of the window's largest deviation from its median, so at the
 * default threshold 7 a value must stray 7/3 ≈ 2.3 times further than any partition in the
 * window did: heavy-tailed statistics (max, a zero-inflated column's mean) calibrate
 * themselves. On the tuning split this took precision from 0.59 to 0.95 (docs/drift.md).
 */
export const TAIL_FACTOR = 3;

/** Centre and spread of the history alone (the caller floors the spread with noiseFloor). */
export function baselineOf(history: ArrayLike<number>): Baseline {
  const sorted = Float64Array.from(history).sort();
  return sortedBaseline(sorted, sorted.length);
}

/**
 * The same from the first `n` entries of `sorted` (ascending): the median absolute deviation is
 * found by walking outwards from the median, so no deviations are materialised or sorted.
 */
export function sortedBaseline(sorted: Float64Array, n: number, withMean = true, out: Baseline = { center: NaN, scale: NaN, mean: NaN }): Baseline {
  if (n === 0) {
    out.center = out.scale = out.mean = NaN;
    return out;
  }
  if (sorted[0] === sorted[n - 1]) {
    // A constant window (coverage always 1, no negatives): no spread, the noise floor decides.
    out.center = out.mean = sorted[0]!;
    out.scale = 0;
    return out;
  }
  const mid = n >> 1;
  const center = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  // Deviations left of the centre grow leftwards, right of it rightwards: merge the two runs.
  let r = mid;
  while (r > 0 && sorted[r - 1]! > center) r--;
  while (r < n && sorted[r]! <= center) r++;
  let l = r - 1;
  let previous = 0;
  let current = 0;
  for (let k = 0; k <= mid; k++) {
    const left = l >= 0 ? center - sorted[l]! : Infinity;
    const right = r < n ? sorted[r]! - center : Infinity;
    previous = current;
    if (left <= right) {
      current = left;
      l--;
    } else {
      current = right;
      r++;
    }
  }
  const mad = n % 2 === 1 ? current : (previous + current) / 2;
  let spread = 1.4826 * mad;
  if (spread === 0) {
    // More than half the window sits on the centre: the mean absolute deviation still sees the rest.
    let deviations = 0;
    for (let i = 0; i < n; i++) deviations += Math.abs(sorted[i]! - center);
    spread = (1.2533 * deviations) / n;
  }
  let mean = NaN;
  if (withMean) {
    mean = 0;
    for (let i = 0; i < n; i++) mean += sorted[i]!;
    mean /= n;
  }
  const largest = Math.max(center - sorted[0]!, sorted[n - 1]! - center);
  out.center = center;
  out.scale = Math.max(spread, largest / TAIL_FACTOR);
  out.mean = mean;
  return out;
}
