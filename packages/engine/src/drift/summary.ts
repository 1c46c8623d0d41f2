// A partition's summary: per column, the data-quality statistics the detector compares.
import { type ColumnKind, type ColumnProfile } from "./column-profile.ts";
import { type HeavyHitters } from "./heavy-hitters.ts";
import { type QuantileSketch } from "./quantile-sketch.ts";
import { ProfileAccumulator, type ProfileJSON } from "./profile-accumulator.ts";
import { DEFAULT_PROFILE_OPTIONS } from "./profile-options.ts";

/** Statistics by kind (every column also has `coverage`; mixed columns have `typeShare`). */
export const STATISTICS = {
  number: ["mean", "std", "min", "max", "p5", "p50", "p95", "distinct", "topShare", "negativeShare", "integerShare"],
  string: ["distinct", "topShare", "lengthMean", "lengthP95"],
  boolean: ["trueShare"],
  embedding: ["meanNorm", "dimMean"],
} as const satisfies Record<ColumnKind, readonly string[]>;

export type Statistic = "coverage" | "typeShare" | (typeof STATISTICS)[ColumnKind][number];

/** Statistics that are a share of values: their sampling noise is binomial. */
export const SHARE_STATISTICS: ReadonlySet<string> = new Set(["coverage", "typeShare", "topShare", "negativeShare", "integerShare", "trueShare"]);

export interface ColumnSummary {
  /** The kind of most of the column's values in this partition. */
  kind: ColumnKind;
  /** Values of any kind (rows − count lacked the column). */
  count: number;
  /** Values per kind, when the column mixes kinds. */
  kinds?: Partial<Record<ColumnKind, number>>;
  stats: Partial<Record<Statistic, number>>;
  /**
   * Sampling standard error of some statistics, read off this partition's own data: the mean's
   * std/√n, and for quantiles half the spread between the quantiles one rank-standard-error
   * either side (robust to discrete and zero-inflated columns, where a quantile jumps).
   */
  noise?: Partial<Record<Statistic, number>>;
  /**
   * Numbers and strings: the most frequent values' counts, flattened [hash, count, …] (the
   * heavy-hitter sketch's entries: exact up to 128 distinct values). The detector compares each
   * value's share with its share over the history, so a column pinned to one of its own rarer
   * values (GATE's "constant" corruption) shows even when no summary statistic moves.
   */
  values?: number[];
  /** The value behind each pair of `values` (index i/2), or null where the profile does not know it; absent when it knows none. */
  valueLabels?: (number | string | null)[];
}

export interface PartitionSummary {
  rows: number;
  columns: Record<string, ColumnSummary>;
}

/** Standard error of the q-quantile: the quantiles ±2 rank-SEs away span about 4 SEs. */
function quantileNoise(sketch: QuantileSketch, q: number): number {
  const delta = 2 * Math.sqrt((q * (1 - q)) / Math.max(1, sketch.count));
  return (sketch.quantile(Math.min(1, q + delta)) - sketch.quantile(Math.max(0, q - delta))) / 4;
}

/**
 * Sampling spread of an extreme: half its gap to the value k = max(3, 1% of the values) order
 * statistics inwards. For an exponential tail of scale β and k = 3 that gap is 1.83 β (the
 * extreme's own robust spread is 0.71 β). The 1% matters for discrete columns: an integer column
 * that reaches its bound 100 five times a partition has no gap to the 3rd value, yet its max
 * falls to 99 in one partition of 150; its gap to the 1% quantile is the resolution, 1.
 */
const extremeNoise = (gap: number) => (Number.isFinite(gap) && gap > 0 ? gap / 2 : 0);
const extremeRank = (n: number) => Math.min(1, Math.max(3, 0.01 * n) / n);

function labelsOf(top: HeavyHitters, values: number[]): (number | string | null)[] | undefined {
  const out: (number | string | null)[] = [];
  let known = false;
  for (let i = 0; i < values.length; i += 2) {
    const label = top.label(values[i]!);
    out.push(label ?? null);
    if (label !== undefined) known = true;
  }
  return known ? out : undefined;
}

function summarizeColumn(column: ColumnProfile, rows: number): ColumnSummary | null {
  const counts: Partial<Record<ColumnKind, number>> = {};
  let kind: ColumnKind | null = null;
  let best = 0;
  let present = 0;
  for (const k of ["number", "string", "boolean", "embedding"] as const) {
    const n = column[k]?.count ?? 0;
    if (n === 0) continue;
    counts[k] = n;
    present++;
    if (n > best) {
      best = n;
      kind = k;
    }
  }
  const count = column.count;
  const stats: Partial<Record<Statistic, number>> = { coverage: rows > 0 ? count / rows : 0 };
  const noise: Partial<Record<Statistic, number>> = {};
  let values: number[] | undefined;
  let labels: (number | string | null)[] | undefined;
  if (kind === null) return { kind: "number", count: 0, stats };
  if (present > 1) stats.typeShare = best / count;
  switch (kind) {
    case "number": {
      const s = column.number!;
      stats.mean = s.mean;
      stats.std = Math.sqrt(s.m2 / s.count);
      stats.min = s.min;
      stats.max = s.max;
      stats.p5 = s.quantiles.quantile(0.05);
      stats.p50 = s.quantiles.quantile(0.5);
      stats.p95 = s.quantiles.quantile(0.95);
      stats.distinct = s.distinct.estimate();
      stats.topShare = s.top.top() / s.count;
      stats.negativeShare = s.negatives / s.count;
      stats.integerShare = s.integers / s.count;
      noise.mean = stats.std / Math.sqrt(s.count);
      noise.std = stats.std / Math.sqrt(2 * s.count);
      noise.p5 = quantileNoise(s.quantiles, 0.05);
      noise.p50 = quantileNoise(s.quantiles, 0.5);
      noise.p95 = quantileNoise(s.quantiles, 0.95);
      noise.min = extremeNoise(s.quantiles.quantile(extremeRank(s.count)) - s.min);
      noise.max = extremeNoise(s.max - s.quantiles.quantile(1 - extremeRank(s.count)));
      values = s.top.flat();
      labels = labelsOf(s.top, values);
      break;
    }
    case "string": {
      const s = column.string!;
      stats.distinct = s.distinct.estimate();
      stats.topShare = s.top.top() / s.count;
      stats.lengthMean = s.lengthSum / s.count;
      stats.lengthP95 = s.lengths.quantile(0.95);
      noise.lengthP95 = quantileNoise(s.lengths, 0.95);
      noise.lengthMean = quantileNoise(s.lengths, 0.5) / 1.2533;
      values = s.top.flat();
      labels = labelsOf(s.top, values);
      break;
    }
    case "boolean": {
      const s = column.boolean!;
      stats.trueShare = s.trues / s.count;
      break;
    }
    case "embedding": {
      const s = column.embedding!;
      stats.meanNorm = s.normSum / s.count;
      stats.dimMean = s.elementCount > 0 ? s.elementSum / s.elementCount : 0;
      break;
    }
  }
  const summary: ColumnSummary = present > 1 ? { kind, count, kinds: counts, stats } : { kind, count, stats };
  if (Object.keys(noise).length > 0) summary.noise = noise;
  if (values) summary.values = values;
  if (labels) summary.valueLabels = labels;
  return summary;
}

/** The statistics of a profile (an accumulator or its stored JSON). */
export function summarize(profile: ProfileAccumulator | ProfileJSON): PartitionSummary {
  const acc = profile instanceof ProfileAccumulator ? profile : ProfileAccumulator.fromJSON(profile, DEFAULT_PROFILE_OPTIONS);
  const columns: Record<string, ColumnSummary> = {};
  for (const path of [...acc.columns.keys()].sort()) {
    const summary = summarizeColumn(acc.columns.get(path)!, acc.rows);
    if (summary) columns[path] = summary;
  }
  return { rows: acc.rows, columns };
}
