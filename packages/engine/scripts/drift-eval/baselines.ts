// The methods Motion's detector is measured against, each on the same partitions and the same
// history (the same window of earlier valid partitions) in the same run.
import { type PartitionInput } from "../../src/drift/detector.ts";
import { type ColumnSummary } from "../../src/drift/summary.ts";
import { type Dataset, type Row } from "./datasets.ts";

export interface MethodVerdict {
  flagged: boolean;
  /** Columns the method blames. */
  columns: string[];
}

function statValue(c: ColumnSummary | undefined, statistic: string): number | undefined {
  if (!c) return statistic === "coverage" ? 0 : undefined;
  const v = c.stats[statistic as keyof ColumnSummary["stats"]];
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** Per-statistic z-score ≥ 3 against the window's mean and (sample) std, on the same summaries. */
export function zScoreBaseline(window: PartitionInput[], current: PartitionInput, threshold = 3): MethodVerdict {
  const blamed = new Set<string>();
  const columns = new Set<string>();
  for (const p of window) for (const c in p.summary.columns) columns.add(c);
  for (const column of columns) {
    const stats = new Set<string>();
    for (const p of window) for (const s in p.summary.columns[column]?.stats ?? {}) stats.add(s);
    for (const statistic of stats) {
      const values = window.map((p) => statValue(p.summary.columns[column], statistic)).filter((v): v is number => v !== undefined);
      const x = statValue(current.summary.columns[column], statistic);
      if (values.length < 2 || x === undefined) continue;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      const z = std === 0 ? (x === mean ? 0 : Infinity) : Math.abs(x - mean) / std;
      if (z >= threshold) blamed.add(column);
    }
  }
  return { flagged: blamed.size > 0, columns: [...blamed] };
}

/** Histogram bins per column, fixed over the data set (as TFDV's statistics share boundaries). */
export interface Binning {
  edges: Map<string, number[]>;
}

export function binningOf(dataset: Dataset): Binning {
  const edges = new Map<string, number[]>();
  for (const column of dataset.numeric) {
    const values = dataset.partitions.flatMap((p) => p.rows.map((r) => r[column])).filter((v): v is number => typeof v === "number").sort((a, b) => a - b);
    const cuts = new Set<number>();
    for (let i = 1; i < 10; i++) cuts.add(values[Math.floor((i / 10) * (values.length - 1))]!);
    edges.set(column, [...cuts].sort((a, b) => a - b));
  }
  return { edges };
}

/** Value counts per column of one partition: numbers by decile bin, strings by value, nulls apart. */
export function histograms(rows: Row[], dataset: Dataset, binning: Binning): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const column of [...dataset.numeric, ...dataset.categorical]) {
    const counts = new Map<string, number>();
    const edges = binning.edges.get(column);
    for (const row of rows) {
      const v = row[column];
      let bin: string;
      if (v === null || v === undefined) bin = "∅";
      else if (edges && typeof v === "number") {
        let i = 0;
        while (i < edges.length && v > edges[i]!) i++;
        bin = `b${i}`;
      } else bin = `s${String(v)}`;
      counts.set(bin, (counts.get(bin) ?? 0) + 1);
    }
    out.set(column, counts);
  }
  return out;
}

function jsd(p: Map<string, number>, q: Map<string, number>): number {
  let pn = 0;
  let qn = 0;
  for (const v of p.values()) pn += v;
  for (const v of q.values()) qn += v;
  if (pn === 0 || qn === 0) return 0;
  const keys = new Set([...p.keys(), ...q.keys()]);
  let d = 0;
  for (const k of keys) {
    const a = (p.get(k) ?? 0) / pn;
    const b = (q.get(k) ?? 0) / qn;
    const m = (a + b) / 2;
    if (a > 0) d += 0.5 * a * Math.log2(a / m);
    if (b > 0) d += 0.5 * b * Math.log2(b / m);
  }
  return d;
}

/**
 * Jensen–Shannon divergence (bits) of each column's histogram against the pooled window, as
 * TFDV's drift comparator; categorical values outside the window's 20 most common share one
 * "other" bucket (TFDV compares top values likewise). Flags a column when JSD > threshold.
 */
export function jsdBaseline(window: Map<string, Map<string, number>>[], current: Map<string, Map<string, number>>, threshold = 0.1): MethodVerdict {
  const blamed: string[] = [];
  for (const [column, cur] of current) {
    const ref = new Map<string, number>();
    for (const h of window) for (const [k, v] of h.get(column) ?? []) ref.set(k, (ref.get(k) ?? 0) + v);
    const top = new Set([...ref].filter(([k]) => k.startsWith("s")).sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k]) => k));
    const bucket = (h: Map<string, number>) => {
      const out = new Map<string, number>();
      for (const [k, v] of h) {
        const key = k.startsWith("s") && !top.has(k) ? "other" : k;
        out.set(key, (out.get(key) ?? 0) + v);
      }
      return out;
    };
    if (jsd(bucket(ref), bucket(cur)) > threshold) blamed.push(column);
  }
  return { flagged: blamed.length > 0, columns: blamed };
}

const GATE_STATS = ["coverage", "mean", "p50", "distinct", "topShare", "p95"];

/**
 * GATE as its reference code does it (without its column clustering, which needs a sentence
 * embedding model): z-normalise each (column, statistic) over history + current, score every
 * partition by the mean Euclidean distance to its k nearest others, flag when the current
 * score's percentile among the earlier partitions' scores is ≥ 95%; blame the top-|z| column.
 */
export function gateReference(window: PartitionInput[], current: PartitionInput, k = 3, percentile = 0.95): MethodVerdict {
  const all = [...window, current];
  const features: { column: string; values: number[] }[] = [];
  const columns = new Set<string>();
  for (const p of all) for (const c in p.summary.columns) columns.add(c);
  for (const column of columns) {
    for (const statistic of GATE_STATS) {
      const raw = all.map((p) => statValue(p.summary.columns[column], statistic));
      const present = raw.filter((v): v is number => v !== undefined);
      if (present.length < 2) continue;
      const mean = present.reduce((a, b) => a + b, 0) / present.length;
      const std = Math.sqrt(present.reduce((a, b) => a + (b - mean) ** 2, 0) / (present.length - 1)) + 1e-10;
      features.push({ column, values: raw.map((v) => (v === undefined ? 0 : (v - mean) / std)) });
    }
  }
  const n = all.length;
  const scores = all.map((_, i) => {
    const d: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (const f of features) s += (f.values[i]! - f.values[j]!) ** 2;
      d.push(Math.sqrt(s));
    }
    d.sort((a, b) => a - b);
    const near = d.slice(0, k);
    return near.reduce((a, b) => a + b, 0) / Math.max(1, near.length);
  });
  const score = scores[n - 1]!;
  const past = scores.slice(0, n - 1);
  const left = past.filter((s) => s < score).length;
  const right = past.filter((s) => s <= score).length;
  const pct = ((left + right + (right > left ? 1 : 0)) * 50) / past.length / 100;
  let top = "";
  let best = -1;
  for (const f of features) {
    const z = Math.abs(f.values[n - 1]!);
    if (z > best) [best, top] = [z, f.column];
  }
  return { flagged: pct >= percentile, columns: top ? [top] : [] };
}
