// Is a new partition's data like the earlier valid partitions'? After GATE ("Moving Fast With
// Broken Data", Shankar et al. 2023): normalise every (column, statistic) against the window
// of history, score the partition, name the columns responsible. See docs/drift.md for what
// differs from GATE and the measurements behind each difference.
import { baselineOf, median, noiseFloor, type NoiseContext } from "./robust-baseline.ts";
import { type ColumnKind } from "./column-profile.ts";
import { SHARE_STATISTICS, type ColumnSummary, type PartitionSummary } from "./summary.ts";

export interface DetectOptions {
  /** Fewer earlier valid partitions than this → status "insufficient-history". Default 5. */
  minHistory?: number;
  /** How many of the latest valid partitions form the history window. Default 30. */
  window?: number;
  /** A partition drifts when its score (largest robust |z|) reaches this. Default 7. */
  threshold?: number;
  /** A column is named responsible when one of its statistics reaches this |z|. Default: threshold. */
  columnThreshold?: number;
  /** Only these columns (dotted paths) are compared; default all. */
  columns?: string[];
}

export interface ResolvedDetectOptions {
  minHistory: number;
  window: number;
  threshold: number;
  columnThreshold: number;
  columns: readonly string[] | null;
}

export function resolveDetectOptions(options: DetectOptions = {}): ResolvedDetectOptions {
  const minHistory = options.minHistory ?? 5;
  const window = options.window ?? 30;
  const threshold = options.threshold ?? 7;
  const columnThreshold = options.columnThreshold ?? threshold;
  for (const [name, value, min] of [["minHistory", minHistory, 1], ["window", window, 1], ["threshold", threshold, 0], ["columnThreshold", columnThreshold, 0]] as const) {
    if (!Number.isFinite(value) || value < min) throw new RangeError(`drift option ${name} must be a number ≥ ${min}, got ${value}`);
  }
  if (window < minHistory) throw new RangeError(`drift option window (${window}) must be ≥ minHistory (${minHistory})`);
  return { minHistory, window, threshold, columnThreshold, columns: options.columns ?? null };
}

export interface PartitionInput {
  partition: string;
  summary: PartitionSummary;
}

/** One (column, statistic) of the current partition against its history. */
export interface ColumnFinding {
  column: string;
  statistic: string;
  value: number;
  /** The history's centre (median of the window). */
  mean: number;
  /** The history's scale (robust, floored by sampling noise): z = (value − mean) / std. */
  std: number;
  z: number;
}

export type VerdictStatus = "ok" | "drift" | "insufficient-history";

export interface PartitionVerdict {
  partition: string;
  rows: number;
  status: VerdictStatus;
  /** Largest |z| over the compared statistics; null without enough history. */
  score: number | null;
  threshold: number;
  /** Responsible columns, strongest first: per column its statistic with the largest |z|. */
  columns: ColumnFinding[];
  /** Every compared (column, statistic), for charts: |z| heatmaps and series. */
  findings: ColumnFinding[];
  /** Valid partitions the window held. */
  history: number;
}

/** Statistics compared on a signed log scale. */
const LOG_STATISTICS: ReadonlySet<string> = new Set(["mean", "std", "min", "max", "p5", "p50", "p95", "lengthMean", "lengthP95", "meanNorm", "distinct"]);

export const slog = (x: number) => Math.sign(x) * Math.log1p(Math.abs(x));
export const unslog = (y: number) => Math.sign(y) * Math.expm1(Math.abs(y));

/** z beyond this is reported as this: enough to rank, finite for JSON. */
export const Z_CAP = 1000;

function historyKind(window: PartitionInput[], column: string): ColumnKind | null {
  const votes = new Map<ColumnKind, number>();
  for (const p of window) {
    const c = p.summary.columns[column];
    if (c && c.count > 0) votes.set(c.kind, (votes.get(c.kind) ?? 0) + 1);
  }
  let best: ColumnKind | null = null;
  let most = 0;
  for (const [kind, n] of votes) if (n > most) [best, most] = [kind, n];
  return best;
}

/** The current value of a statistic as the history knows it, or undefined to skip it. */
function currentValue(c: ColumnSummary | undefined, statistic: string, kind: ColumnKind): number | undefined {
  if (!c) return statistic === "coverage" ? 0 : undefined;
  if (statistic === "coverage") return c.stats.coverage;
  if (statistic === "typeShare") return c.count === 0 ? undefined : (c.kinds?.[kind] ?? (c.kind === kind ? c.count : 0)) / c.count;
  if (c.kind !== kind) return undefined;
  return c.stats[statistic as keyof ColumnSummary["stats"]];
}

function denominator(c: ColumnSummary | undefined, rows: number, statistic: string): number {
  if (statistic === "coverage") return rows;
  return c?.count ?? 0;
}

/** Compares one partition's summary with its history (earlier valid partitions, oldest first). */
export function detect(history: PartitionInput[], current: PartitionInput, options: DetectOptions = {}): PartitionVerdict {
  const opts = resolveDetectOptions(options);
  const window = history.slice(-opts.window);
  const base = { partition: current.partition, rows: current.summary.rows, threshold: opts.threshold, history: window.length };
  if (window.length < opts.minHistory) {
    return { ...base, status: "insufficient-history", score: null, columns: [], findings: [] };
  }
  const findings = compare(window, current, opts);
  let score = 0;
  const strongest = new Map<string, ColumnFinding>();
  for (const f of findings) {
    const a = Math.abs(f.z);
    if (a > score) score = a;
    const best = strongest.get(f.column);
    if (!best || a > Math.abs(best.z)) strongest.set(f.column, f);
  }
  const columns = [...strongest.values()].filter((f) => Math.abs(f.z) >= opts.columnThreshold).sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
  return { ...base, status: score >= opts.threshold ? "drift" : "ok", score, columns, findings };
}

/** Every comparable (column, statistic) of `current` normalised against `window`. */
export function compare(window: PartitionInput[], current: PartitionInput, opts: ResolvedDetectOptions): ColumnFinding[] {
  const names = new Set<string>();
  for (const p of window) for (const name in p.summary.columns) names.add(name);
  const findings: ColumnFinding[] = [];
  for (const column of [...names].sort()) {
    if (opts.columns && !opts.columns.includes(column)) continue;
    const kind = historyKind(window, column);
    if (kind === null) continue;
    const cur = current.summary.columns[column];
    // Statistics the window knows for this kind, with their history values.
    const series = new Map<string, { values: number[]; n: number }>();
    const noises = new Map<string, number[]>();
    for (const p of window) {
      const c = p.summary.columns[column];
      if (!c) continue;
      if (c.kind === kind && c.noise) {
        for (const [statistic, se] of Object.entries(c.noise)) {
          if (!Number.isFinite(se)) continue;
          let list = noises.get(statistic);
          if (!list) noises.set(statistic, (list = []));
          list.push(se);
        }
      }
      const stats = c.kind === kind ? Object.keys(c.stats) : ["coverage", "typeShare"];
      for (const statistic of stats) {
        const v = statistic === "typeShare" ? currentValue(c, statistic, kind) : c.stats[statistic as keyof ColumnSummary["stats"]];
        if (v === undefined || !Number.isFinite(v)) continue;
        let s = series.get(statistic);
        if (!s) series.set(statistic, (s = { values: [], n: 0 }));
        s.values.push(v);
        s.n += denominator(c, p.summary.rows, statistic);
      }
      // A pure column's typeShare is 1 even though its summary omits it.
      if (c.kind === kind && c.count > 0 && c.stats.typeShare === undefined && c.kinds === undefined) {
        let s = series.get("typeShare");
        if (!s) series.set("typeShare", (s = { values: [], n: 0 }));
        s.values.push(1);
        s.n += c.count;
      }
    }
    const ctx: NoiseContext = { n: 0, historyN: 0, se: 0, historySe: 0 };
    for (const [statistic, { values, n }] of series) {
      if (values.length < opts.minHistory) continue;
      const value = currentValue(cur, statistic, kind);
      if (value === undefined || !Number.isFinite(value)) continue;
      ctx.n = denominator(cur, current.summary.rows, statistic);
      ctx.historyN = n;
      const se = cur && cur.kind === kind ? cur.noise?.[statistic as keyof ColumnSummary["stats"]] : undefined;
      ctx.se = se !== undefined && Number.isFinite(se) ? se : 0;
      const hs = noises.get(statistic);
      ctx.historySe = hs ? median(hs) : 0;
      if (ctx.n === 0 && !SHARE_STATISTICS.has(statistic)) continue;
      let z: number;
      let mean: number;
      let std: number;
      if (LOG_STATISTICS.has(statistic)) {
        // Levels and spreads of real columns are heavy-tailed across partitions (one $3M repair
        // moves a month's mean cost 30-fold): compare them on a signed log scale.
        const logged = values.map(slog);
        const b = baselineOf(logged);
        const linearCenter = unslog(b.center);
        const floor = noiseFloor(statistic, linearCenter, values, ctx) / (1 + Math.abs(linearCenter));
        const scale = Math.max(b.scale, floor);
        z = (slog(value) - b.center) / scale;
        mean = linearCenter;
        std = scale * (1 + Math.abs(linearCenter));
      } else {
        const b = baselineOf(values);
        const scale = Math.max(b.scale, noiseFloor(statistic, b.center, values, ctx));
        z = (value - b.center) / scale;
        mean = b.center;
        std = scale;
      }
      findings.push({ column, statistic, value, mean, std, z: Math.max(-Z_CAP, Math.min(Z_CAP, z)) });
    }
  }
  return findings;
}
