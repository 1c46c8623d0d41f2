// Is a new partition's data like the earlier valid partitions'? After GATE ("Moving Fast With
// Broken Data", Shankar et al. 2023): normalise every (column, statistic) against the window
// of history, score the partition, name the columns responsible. See docs/drift.md for what
// differs from GATE and the measurements behind each difference.
import { columnarOf, COVERAGE, denominatorFor, KIND_STATISTICS, kindCount, noiseOf, STATISTIC_NAMES, valueFor, type ColumnarColumn } from "./columnar-summary.ts";
import { HistoryWindow, WindowPool, type PooledValues } from "./history-window.ts";
import { floorKindOf, noiseFloorOf, sortedBaseline, TAIL_FACTOR, type Baseline, type NoiseContext } from "./robust-baseline.ts";
import { SHARE_STATISTICS, type PartitionSummary } from "./summary.ts";

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
  /** Compare each frequent value's share with its history (statistic "valueShare"). Default true. */
  valueShares?: boolean;
}

export interface ResolvedDetectOptions {
  minHistory: number;
  window: number;
  threshold: number;
  columnThreshold: number;
  columns: readonly string[] | null;
  valueShares: boolean;
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
  return { minHistory, window, threshold, columnThreshold, columns: options.columns ?? null, valueShares: options.valueShares ?? true };
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
  /** valueShare only: the value whose share moved, when the profile knows it (longer strings cut at 60 characters). */
  label?: number | string;
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
const IS_LOG = STATISTIC_NAMES.map((s) => LOG_STATISTICS.has(s));
const IS_SHARE = STATISTIC_NAMES.map((s) => SHARE_STATISTICS.has(s));
const IS_EXTREME = STATISTIC_NAMES.map((s) => s === "min" || s === "max");
const FLOOR_KIND = STATISTIC_NAMES.map(floorKindOf);

const MAX = STATISTIC_NAMES.indexOf("max");

/** z whose standard normal upper tail is e^logP, for logP ≤ ln 0.5 (Abramowitz & Stegun 26.2.23; error < 4.5·10⁻⁴). */
function upperNormalQuantile(logP: number): number {
  const t = Math.sqrt(-2 * logP);
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
}

/**
 * Order statistics are weak evidence when they move inwards. A partition's max sits below the
 * column's upper end by a gap that is, for any continuous tail, close to exponential: its median
 * is 0.69 θ and its robust spread 0.71 θ, but its tail is e^(−gap/θ), not Gaussian, so a max 7
 * spreads below the window's median happens once in 300 partitions (a clean year of 35 bounded
 * columns flagged 25–45 of 365 days this way). The |z| of an inward move is therefore read as an
 * exponential gap and replaced by the Gaussian z of the same tail probability (7 → 2.7,
 * 20 → 5.0). Outward moves (a max beyond the usual, a negative min) keep their z: they are what
 * unit changes and sign flips do, and no recall on the tuning data was lost this way (converting
 * both directions lost 7 of 504 corruptions).
 */
function inwardExtremeZ(z: number): number {
  // On the log of the probability (no underflow); near z = 0 the approximation's error could
  // turn the sign, and there the conversion hardly matters: never below a twentieth of z.
  return Math.max(upperNormalQuantile(-Math.LN2 - 0.7135 * z), 0.05 * z);
}

export const slog = (x: number) => Math.sign(x) * Math.log1p(Math.abs(x));
export const unslog = (y: number) => Math.sign(y) * Math.expm1(Math.abs(y));
const scale = (s: number, value: number) => (IS_LOG[s] ? slog(value) : value);

/** Every statistic a finding can name: the summary statistics and the per-value share. */
export const FINDING_STATISTICS: readonly string[] = [...STATISTIC_NAMES, "valueShare"];

/** z beyond this is reported as this: enough to rank, finite for JSON. */
export const Z_CAP = 1000;

/** Windows of recent detect() calls, slid to the next call's window when they overlap (see history-window.ts). */
const pool = new WindowPool(scale, 4);

function verdictOf(findings: ColumnFinding[], base: Omit<PartitionVerdict, "status" | "score" | "columns" | "findings">, opts: ResolvedDetectOptions): PartitionVerdict {
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

/** Compares one partition's summary with its history (earlier valid partitions, oldest first). */
export function detect(history: PartitionInput[], current: PartitionInput, options: DetectOptions = {}): PartitionVerdict {
  const opts = resolveDetectOptions(options);
  const window = history.slice(-opts.window).map((p) => p.summary);
  const base = { partition: current.partition, rows: current.summary.rows, threshold: opts.threshold, history: window.length };
  if (window.length < opts.minHistory) {
    return { ...base, status: "insufficient-history", score: null, columns: [], findings: [] };
  }
  return verdictOf(judge(pool.windowOf(window), window, current.summary, opts), base, opts);
}

export interface DetectSeriesOptions extends DetectOptions {
  /**
   * Whether a judged partition joins the history of later ones. Default: unless it drifted
   * (an operator who marks a flagged partition valid would answer true for it).
   */
  keep?: (verdict: PartitionVerdict, index: number) => boolean;
}

/**
 * Judges `partitions` in order, each against the valid partitions before it — what calling
 * detect() on each would give with flagged partitions left out of later histories — sliding
 * one window along instead of rebuilding it per partition.
 */
export function detectSeries(partitions: readonly PartitionInput[], options: DetectSeriesOptions = {}): PartitionVerdict[] {
  const opts = resolveDetectOptions(options);
  const keep = options.keep ?? ((v: PartitionVerdict) => v.status !== "drift");
  const state = new HistoryWindow(scale);
  const valid: PartitionSummary[] = [];
  const out: PartitionVerdict[] = [];
  for (let i = 0; i < partitions.length; i++) {
    const current = partitions[i]!;
    const window = valid.length > opts.window ? valid.slice(-opts.window) : valid;
    const base = { partition: current.partition, rows: current.summary.rows, threshold: opts.threshold, history: window.length };
    const verdict = window.length < opts.minHistory
      ? { ...base, status: "insufficient-history" as const, score: null, columns: [], findings: [] }
      : verdictOf(judge(state, window, current.summary, opts), base, opts);
    out.push(verdict);
    if (keep(verdict, i)) {
      valid.push(current.summary);
      if (valid.length > opts.window) state.replace(valid[valid.length - opts.window - 1]!, current.summary);
      else state.add(current.summary);
    }
  }
  return out;
}

/** Every comparable (column, statistic) of `current` normalised against `window`. */
export function compare(window: PartitionInput[], current: PartitionInput, opts: ResolvedDetectOptions): ColumnFinding[] {
  const summaries = window.map((p) => p.summary);
  const state = new HistoryWindow(scale);
  for (const s of summaries) state.add(s);
  return judge(state, summaries, current.summary, opts);
}

function judge(state: HistoryWindow, ordered: readonly PartitionSummary[], summary: PartitionSummary, opts: ResolvedDetectOptions): ColumnFinding[] {
  const current = columnarOf(summary);
  const findings: ColumnFinding[] = [];
  const names = [...state.columns.keys()].sort();
  const ctx: NoiseContext = { n: 0, historyN: 0, se: 0, historySe: 0 };
  const b: Baseline = { center: 0, scale: 0, mean: 0 };
  const watched = opts.columns ? new Set(opts.columns) : null;
  for (const column of names) {
    if (watched && !watched.has(column)) continue;
    const kind = state.kindOf(column, ordered);
    if (kind < 0) continue;
    const kindWindow = state.columns.get(column)!.byKind[kind]!;
    const windows = kindWindow.statistics;
    const cur = current.columns.get(column);
    for (const s of KIND_STATISTICS[kind]!) {
      const w = windows[s];
      if (!w || w.values.size < opts.minHistory) continue;
      const value = cur ? valueFor(cur, kind, s) : s === COVERAGE ? 0 : Number.NaN;
      if (Number.isNaN(value)) continue;
      ctx.n = denominatorFor(cur, summary.rows, s);
      if (ctx.n === 0 && !IS_SHARE[s]) continue;
      ctx.historyN = w.denominators;
      const se = cur && cur.kind === kind ? noiseOf(cur, s) : Number.NaN;
      ctx.se = Number.isNaN(se) ? 0 : se;
      ctx.historySe = w.noise.size > 0 ? w.noise.median() : 0;
      const statistic = STATISTIC_NAMES[s]!;
      sortedBaseline(w.values.sort(), w.values.size, IS_SHARE[s], b);
      let z: number;
      let mean: number;
      let std: number;
      if (IS_LOG[s]) {
        // Levels and spreads of real columns are heavy-tailed across partitions (one $3M repair
        // moves a month's mean cost 30-fold): compare them on a signed log scale.
        const linearCenter = unslog(b.center);
        const floor = noiseFloorOf(FLOOR_KIND[s]!, linearCenter, Number.NaN, ctx) / (1 + Math.abs(linearCenter));
        const spread = Math.max(b.scale, floor);
        z = (slog(value) - b.center) / spread;
        mean = linearCenter;
        std = spread * (1 + Math.abs(linearCenter));
      } else {
        const spread = Math.max(b.scale, noiseFloorOf(FLOOR_KIND[s]!, b.center, b.mean, ctx));
        z = (value - b.center) / spread;
        mean = b.center;
        std = spread;
      }
      if (IS_EXTREME[s] && (s === MAX) === (z < 0) && z !== 0) {
        // An extreme that moved inwards (max fell, min rose): read with its exponential tail.
        const weak = Math.sign(z) * inwardExtremeZ(Math.abs(z));
        std *= z / weak;
        z = weak;
      }
      findings.push({ column, statistic, value, mean, std, z: Math.max(-Z_CAP, Math.min(Z_CAP, z)) });
    }
    if (opts.valueShares && cur && cur.kind === kind && cur.values && kindWindow.pooled.partitions >= opts.minHistory) {
      const f = valueShareFinding(column, cur, kindWindow.pooled);
      if (f) findings.push(f);
    }
  }
  return findings;
}

/** The largest z of the frequent values' shares of column `c` against pooled counts (for the partition being judged). */
function largestShareZ(c: ColumnarColumn, pooled: PooledValues, out: { at: number; q: number; std: number }): number {
  const flat = c.values!;
  const frequent = c.frequent!;
  const n = kindCount(c);
  const big = pooled.total;
  let best = -Infinity;
  for (let j = 0; j < frequent.length; j++) {
    const i = frequent[j]!;
    const count = flat[i + 1]!;
    const q = (pooled.get(flat[i]!) + 1) / (big + 2);
    const std = Math.sqrt(q * (1 - q) * (1 / n + 1 / big));
    const z = (count / n - q) / std;
    if (z > best) {
      best = z;
      [out.at, out.q, out.std] = [i, q, std];
    }
  }
  return best;
}

/**
 * The largest z a window partition's repeated values reach against the rest of the window (its
 * own counts taken out of the pool), or 0 when none rose: only rises matter to the calibration,
 * so it compares squares and takes one root.
 */
function memberShareZ(c: ColumnarColumn, pooled: PooledValues): number {
  const flat = c.values!;
  const repeated = c.repeated!;
  const n = kindCount(c);
  const big = pooled.total - n;
  const spread = 1 / n + 1 / big;
  let best = 0;
  for (let j = 0; j < repeated.length; j++) {
    const i = repeated[j]!;
    const count = flat[i + 1]!;
    const q = (pooled.get(flat[i]!) - count + 1) / (big + 2);
    const rise = count / n - q;
    if (rise <= 0) continue;
    const z2 = (rise * rise) / (q * (1 - q) * spread);
    if (z2 > best) best = z2;
  }
  return Math.sqrt(best);
}

/**
 * The value whose share rose most against its share pooled over the window (binomial noise of
 * the difference; Laplace-smoothed so a value the window never saw has a share), or null when
 * no value occurs MIN_VALUE_COUNT (5) times. Real columns are over-dispersed (a new airport appears,
 * a model's share doubles in summer), so the spread is calibrated like the other statistics':
 * at least a third of the largest z any window partition reached against the rest of the window.
 */
function valueShareFinding(column: string, cur: ColumnarColumn, pooled: PooledValues): ColumnFinding | null {
  if (cur.frequent!.length === 0) return null;
  pooled.ensure();
  const at = { at: -1, q: 0, std: 0 };
  const z = largestShareZ(cur, pooled, at);
  // One-sided: a value that became rarer makes others commoner, and the top value's fall is topShare's.
  if (at.at < 0 || z <= 0) return null;
  let tail = 0;
  for (const c of pooled.members) if (c.repeated!.length > 0) tail = Math.max(tail, memberShareZ(c, pooled));
  const factor = Math.max(1, tail / TAIL_FACTOR);
  const std = at.std * factor;
  const value = cur.values![at.at + 1]! / kindCount(cur);
  const finding: ColumnFinding = { column, statistic: "valueShare", value, mean: at.q, std, z: Math.max(-Z_CAP, Math.min(Z_CAP, z / factor)) };
  const label = cur.labels?.[at.at / 2];
  if (label !== undefined && label !== null) finding.label = label;
  return finding;
}
