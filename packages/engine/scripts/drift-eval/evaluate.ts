// One evaluation run: many seeded trials; in each, some partitions get one corrupted column
// and every method judges every partition after a clean warm-up, in time order, against its
// own history. Flagged corrupted partitions leave the history (an operator confirms them);
// flagged clean ones stay (an operator marks them valid); missed corruptions stay, unseen.
import { detectSeries, type DetectOptions, type PartitionInput, type PartitionVerdict } from "../../src/drift/detector.ts";
import { createAccumulator } from "../../src/drift/profile-accumulator.ts";
import { summarize, type PartitionSummary } from "../../src/drift/summary.ts";
import { binningOf, gateReference, histograms, jsdBaseline, zScoreBaseline, type MethodVerdict } from "./baselines.ts";
import { CORRUPTIONS, corrupt, eligibleColumns, rng, type CorruptionKind } from "./corruptions.ts";
import { type Dataset, type Row } from "./datasets.ts";

export const METHODS = ["motion", "gate", "zscore", "jsd"] as const;
export type Method = (typeof METHODS)[number];

export interface EvalConfig {
  dataset: Dataset;
  seeds: number[];
  /** Share of a corrupted column's rows that are changed. */
  share?: number;
  /** Partitions kept clean at the start: the first history. */
  warmup?: number;
  /** Chance that a partition (after a clean one) is corrupted. */
  rate?: number;
  window?: number;
  detectOptions?: DetectOptions;
  /** Called with every judged partition's Motion verdict and its truth, for diagnosis. */
  /** Methods to run (default all). */
  methods?: readonly Method[];
  inspect?: (verdict: PartitionVerdict, truth: { kind: CorruptionKind; column: string } | null, seed: number) => void;
}

export interface Tally {
  tp: number;
  fp: number;
  fn: number;
  /** Blamed columns in true-positive partitions, and how many of them were the corrupted one. */
  named: number;
  namedRight: number;
  byKind: Record<CorruptionKind, { corrupted: number; caught: number }>;
  /** Corruptions that changed the full share of rows (not fewer, for want of rows the kind changes), and how many were caught. */
  full: { corrupted: number; caught: number };
}

export interface Scores {
  precision: number;
  recall: number;
  columnPrecision: number;
}

/** NaN where undefined: precision of a method that flagged nothing, recall with nothing corrupted. */
export function scoresOf(t: Tally): Scores {
  return {
    precision: t.tp + t.fp === 0 ? Number.NaN : t.tp / (t.tp + t.fp),
    recall: t.tp + t.fn === 0 ? Number.NaN : t.tp / (t.tp + t.fn),
    columnPrecision: t.named === 0 ? Number.NaN : t.namedRight / t.named,
  };
}

function emptyTally(): Tally {
  const byKind = Object.fromEntries(CORRUPTIONS.map((k) => [k, { corrupted: 0, caught: 0 }])) as Tally["byKind"];
  return { tp: 0, fp: 0, fn: 0, named: 0, namedRight: 0, byKind, full: { corrupted: 0, caught: 0 } };
}

function summaryOf(rows: Row[]): PartitionSummary {
  const acc = createAccumulator();
  for (const row of rows) acc.add(row);
  return summarize(acc);
}

export function evaluate(config: EvalConfig): Record<Method, Tally> {
  const { dataset, seeds } = config;
  const share = config.share ?? 0.05;
  const warmup = config.warmup ?? 8;
  const rate = config.rate ?? 0.3;
  const window = config.window ?? config.detectOptions?.window ?? 30;
  const detectOptions = { ...config.detectOptions, window };
  const binning = binningOf(dataset);
  const clean = dataset.partitions.map((p) => ({ summary: summaryOf(p.rows), hist: histograms(p.rows, dataset, binning) }));
  const pools = new Map<string, (string | number)[]>();
  for (const column of [...dataset.numeric, ...dataset.categorical]) {
    pools.set(column, dataset.partitions.flatMap((p) => p.rows.map((r) => r[column])).filter((v): v is string | number => v !== null && v !== undefined));
  }
  const tallies = Object.fromEntries(METHODS.map((m) => [m, emptyTally()])) as Record<Method, Tally>;

  for (const seed of seeds) {
    const random = rng(seed);
    const P = dataset.partitions.length;
    const truth: ({ kind: CorruptionKind; column: string; full: boolean } | null)[] = [];
    const inputs: { input: PartitionInput; hist: Map<string, Map<string, number>> }[] = [];
    for (let t = 0; t < P; t++) {
      const partition = dataset.partitions[t]!;
      if (t >= warmup && truth[t - 1] === null && random() < rate) {
        const kinds = CORRUPTIONS.filter((k) => eligibleColumns(dataset, k).length > 0);
        const kind = kinds[Math.floor(random() * kinds.length)]!;
        const columns = eligibleColumns(dataset, kind);
        const column = columns[Math.floor(random() * columns.length)]!;
        const { rows, corruption } = corrupt(partition.rows, dataset, kind, column, share, random, pools.get(column)!);
        truth.push(corruption.rows > 0 ? { kind, column, full: corruption.rows >= corruption.target } : null);
        inputs.push({ input: { partition: partition.key, summary: summaryOf(rows) }, hist: histograms(rows, dataset, binning) });
      } else {
        truth.push(null);
        inputs.push({ input: { partition: partition.key, summary: clean[t]!.summary }, hist: clean[t]!.hist });
      }
    }
    // Motion judges the whole sequence in one pass; the history rule is the same as below.
    const motion = detectSeries(inputs.map((i) => i.input), { ...detectOptions, keep: (v, t) => t < warmup || !(v.status === "drift" && truth[t]) });
    for (const method of config.methods ?? METHODS) {
      const tally = tallies[method];
      const history: number[] = [];
      for (let t = 0; t < P; t++) {
        if (t < warmup) {
          history.push(t);
          continue;
        }
        const win = history.slice(-window);
        const current = inputs[t]!;
        let verdict: MethodVerdict;
        switch (method) {
          case "motion": {
            const v = motion[t]!;
            verdict = { flagged: v.status === "drift", columns: v.columns.map((c) => c.column) };
            config.inspect?.(v, truth[t]!, seed);
            break;
          }
          case "gate":
            verdict = gateReference(win.map((i) => inputs[i]!.input), current.input);
            break;
          case "zscore":
            verdict = zScoreBaseline(win.map((i) => inputs[i]!.input), current.input);
            break;
          case "jsd":
            verdict = jsdBaseline(win.map((i) => inputs[i]!.hist), current.hist);
            break;
        }
        const truly = truth[t];
        if (truly) {
          tally.byKind[truly.kind].corrupted++;
          if (truly.full) tally.full.corrupted++;
          if (verdict.flagged && truly.full) tally.full.caught++;
          if (verdict.flagged) {
            tally.tp++;
            tally.byKind[truly.kind].caught++;
            tally.named += verdict.columns.length;
            tally.namedRight += verdict.columns.filter((c) => c === truly.column).length;
          } else tally.fn++;
        } else if (verdict.flagged) tally.fp++;
        if (!(verdict.flagged && truly)) history.push(t);
      }
    }
  }
  return tallies;
}
