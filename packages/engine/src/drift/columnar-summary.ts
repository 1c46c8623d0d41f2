// A partition summary as flat typed arrays indexed by statistic, built once per summary object
// and cached: the detector reads the same history summaries again for every later partition,
// and property lookups by name on hundreds of summaries were most of its time.
import { COLUMN_KINDS, type ColumnKind } from "./column-profile.ts";
import { STATISTICS, type PartitionSummary, type Statistic } from "./summary.ts";

/** Every statistic the detector compares, in the order findings list them. */
export const STATISTIC_NAMES: readonly Statistic[] = ["coverage", ...new Set(Object.values(STATISTICS).flat()), "typeShare"];
export const COVERAGE = 0;
export const TYPE_SHARE = STATISTIC_NAMES.length - 1;
const STATISTIC_INDEX = new Map<string, number>(STATISTIC_NAMES.map((s, i) => [s, i]));

/** Per kind (index in COLUMN_KINDS): the statistics compared when the history has that kind. */
export const KIND_STATISTICS: readonly (readonly number[])[] = COLUMN_KINDS.map((kind) => [COVERAGE, ...STATISTICS[kind].map((s) => STATISTIC_INDEX.get(s)!), TYPE_SHARE]);

const N = STATISTIC_NAMES.length;
const KINDS = COLUMN_KINDS.length;
/** Per column in `ColumnarSummary.data`: counts per kind, then statistics, then their standard errors. */
const STRIDE = KINDS + 2 * N;

export interface ColumnarColumn {
  /** Index in COLUMN_KINDS of the majority kind. */
  kind: number;
  count: number;
  /** Offset of this column's block in `data`. */
  at: number;
  /** The summary's numbers (shared by its columns): one allocation per summary, not three per column. */
  data: Float64Array;
  /** Frequent values of the majority kind, flattened [hash, count, …] (ColumnSummary.values). */
  values: readonly number[] | null;
  /** Offsets in `values` of the pairs counted at least MIN_VALUE_COUNT times: the only ones whose share is compared. */
  frequent: Int32Array | null;
  /** Offsets of the pairs counted at least REPEAT_COUNT times: the values a window partition's own share noise is read from. */
  repeated: Int32Array | null;
  /** The values behind `values`' pairs (ColumnSummary.valueLabels), when the profile knows them. */
  labels: readonly (number | string | null)[] | null;
}

/** A value must occur this often in a partition before its share is compared: a few rows are never drift. */
export const MIN_VALUE_COUNT = 5;

/**
 * A window partition's largest share z (what calibrates the value-share spread) is read from its
 * values counted this often. With MIN_VALUE_COUNT here too, a column of many rare values (each
 * expected 0.3–1 times a partition) had no window partition with a value to read, the spread kept
 * its binomial floor, and the Wald z of a value that happened 5 times (8.7 against 0.3 expected)
 * flagged 5–11 of 365 clean synthetic days; values counted 3 or 4 times show that noise.
 */
export const REPEAT_COUNT = 3;

const scratch: number[] = [];

/** Offsets in `values` of the pairs counted at least `min` times. */
function frequentOf(values: readonly number[] | undefined, min = MIN_VALUE_COUNT): Int32Array | null {
  if (!values) return null;
  scratch.length = 0;
  for (let i = 0; i + 1 < values.length; i += 2) if (values[i + 1]! >= min) scratch.push(i);
  return Int32Array.from(scratch);
}

export interface ColumnarSummary {
  rows: number;
  columns: Map<string, ColumnarColumn>;
}

const cache = new WeakMap<PartitionSummary, ColumnarSummary>();

/** Statistics summaries report a standard error for (summary.ts). */
const NOISE_STATISTICS = ["mean", "std", "min", "max", "p5", "p50", "p95", "lengthMean", "lengthP95"].map((name) => STATISTIC_INDEX.get(name)!);

const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : Number.NaN);

/** The columnar form of a summary. Summaries are treated as immutable: the first conversion is cached. */
export function columnarOf(summary: PartitionSummary): ColumnarSummary {
  const hit = cache.get(summary);
  if (hit) return hit;
  const columns = new Map<string, ColumnarColumn>();
  const names = Object.keys(summary.columns);
  const data = new Float64Array(names.length * STRIDE);
  let at = 0;
  for (const name of names) {
    const c = summary.columns[name]!;
    const kind = COLUMN_KINDS.indexOf(c.kind as ColumnKind);
    if (kind < 0) continue;
    for (let k = 0; k < KINDS; k++) data[at + k] = c.kinds?.[COLUMN_KINDS[k]!] ?? (k === kind ? c.count : 0);
    data.fill(Number.NaN, at + KINDS, at + STRIDE);
    // Only the statistics a column of its kind holds, read by name (a lookup per key was a third of the conversion).
    const stats = c.stats as Record<string, number | undefined>;
    for (const s of KIND_STATISTICS[kind]!) data[at + KINDS + s] = finite(stats[STATISTIC_NAMES[s]!]);
    if (c.noise) {
      const noise = c.noise as Record<string, number | undefined>;
      for (const s of NOISE_STATISTICS) data[at + KINDS + N + s] = finite(noise[STATISTIC_NAMES[s]!]);
    }
    columns.set(name, { kind, count: c.count, at, data, values: c.values ?? null, frequent: frequentOf(c.values), repeated: frequentOf(c.values, REPEAT_COUNT), labels: c.valueLabels ?? null });
    at += STRIDE;
  }
  const out = { rows: summary.rows, columns };
  cache.set(summary, out);
  return out;
}

/** Values of the column's majority kind: the denominator of its value shares. */
export const kindCount = (c: ColumnarColumn) => c.data[c.at + c.kind]!;
export const statOf = (c: ColumnarColumn, s: number) => c.data[c.at + KINDS + s]!;
export const noiseOf = (c: ColumnarColumn, s: number) => c.data[c.at + KINDS + N + s]!;

/**
 * A column's value of statistic `s` as compared under history kind `kind`, or NaN: coverage
 * always; typeShare (the share of `kind` among its values) when it has values; every other
 * statistic only when the column's majority kind is the history's.
 */
export function valueFor(c: ColumnarColumn, kind: number, s: number): number {
  if (s === COVERAGE) return statOf(c, COVERAGE);
  if (s === TYPE_SHARE) return c.count > 0 ? c.data[c.at + kind]! / c.count : Number.NaN;
  return c.kind === kind ? statOf(c, s) : Number.NaN;
}

/** The statistic's denominator: the partition's rows for coverage, the column's values otherwise. */
export function denominatorFor(c: ColumnarColumn | undefined, rows: number, s: number): number {
  return s === COVERAGE ? rows : (c?.count ?? 0);
}
