// Drift benchmarks: profiling cost per ingested row against the ingest path's own per-row
// cost, and detection over a year of partitions against a plain z-score pass, same run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAccumulator, detect, detectSeries, summarize, type PartitionInput } from "@motion/engine/drift";
import { motionIngest } from "./engine-bench.ts";
import { loadFlights } from "./fixtures.ts";
import { median, type BenchResult } from "./stats.ts";

const REPEATS = 5;

/** ns per row to profile `rows` into one accumulator (after a warm-up pass). */
function profileNsPerRow(rows: unknown[]): number {
  const times: number[] = [];
  for (let r = 0; r < REPEATS + 1; r++) {
    const acc = createAccumulator();
    const t0 = process.hrtime.bigint();
    for (const row of rows) acc.add(row);
    const ns = Number(process.hrtime.bigint() - t0) / rows.length;
    if (r > 0) times.push(ns);
  }
  return median(times);
}

/** ns per row to JSON.stringify each row: the floor any ingest pays to store a row. */
function stringifyNsPerRow(rows: unknown[]): number {
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < REPEATS + 1; r++) {
    const t0 = process.hrtime.bigint();
    for (const row of rows) bytes += JSON.stringify(row).length;
    const ns = Number(process.hrtime.bigint() - t0) / rows.length;
    if (r > 0) times.push(ns);
  }
  if (bytes === 0) throw new Error("nothing stringified");
  return median(times);
}

/** P5: profiling ns/row (flights as stored, and widened to 8 fields) vs addMany's ns/row. */
export async function benchProfiling(): Promise<BenchResult[]> {
  const flights = loadFlights();
  const wide = flights.map((f, i) => ({ ...f, hour: Number(f.date.slice(11, 13)) || 0, late: f.delay > 15, carrier: ["AA", "DL", "UA", "WN"][i % 4]! }));
  const ingest: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-bench-"));
    ingest.push(1e9 / (await motionIngest(`file:${path.join(dir, "motion.db")}`, flights)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ingestNs = median(ingest);
  const narrow = profileNsPerRow(flights);
  const eight = profileNsPerRow(wide);
  const narrowJson = stringifyNsPerRow(flights);
  const eightJson = stringifyNsPerRow(wide);
  return [
    {
      name: "P5 drift profiling ns/row, flights row (5 fields) vs addMany ns/row",
      value: narrow, unit: "ns", baseline: ingestNs, ratio: narrow / ingestNs, goal: "ratio <= 0.10",
      note: `${flights.length} rows into one partition profile; baseline: SQLite addMany per row, same run`,
    },
    {
      name: "P5 drift profiling ns/row, 8-field row vs addMany ns/row",
      value: eight, unit: "ns", baseline: ingestNs, ratio: eight / ingestNs, goal: "ratio <= 0.10",
      note: "flights + hour, late (boolean), carrier (string)",
    },
    {
      name: "P5c drift accumulate() ns/row vs JSON.stringify of the same row (flights, 5 fields)",
      value: narrow, unit: "ns", baseline: narrowJson, ratio: narrow / narrowJson,
      note: `micro: the per-row profile against serialising the row once; 8-field row: ${eight.toFixed(0)} vs ${eightJson.toFixed(0)} ns (ratio ${(eight / eightJson).toFixed(2)})`,
    },
  ];
}

/** Summaries of a year of daily partitions with 50 columns (35 numeric, 15 categorical). */
function year(): PartitionInput[] {
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const out: PartitionInput[] = [];
  for (let d = 0; d < 365; d++) {
    const acc = createAccumulator();
    for (let r = 0; r < 100; r++) {
      const row: Record<string, number | string> = {};
      for (let c = 0; c < 35; c++) row[`n${c}`] = Math.round(100 * random() * (c + 1));
      for (let c = 0; c < 15; c++) row[`s${c}`] = `v${Math.floor(random() * (3 + c))}`;
      acc.add(row);
    }
    out.push({ partition: new Date(Date.UTC(2001, 0, 1 + d)).toISOString().slice(0, 10), summary: summarize(acc) });
  }
  return out;
}

/** The floor: mean and std of every (column, statistic) over the window, |z| ≥ 3 flags. */
function plainZ(history: PartitionInput[], current: PartitionInput): number {
  let flagged = 0;
  const cur = current.summary.columns;
  for (const column in cur) {
    const stats = cur[column]!.stats as Record<string, number>;
    for (const statistic in stats) {
      let sum = 0;
      let sq = 0;
      let n = 0;
      for (const p of history) {
        const v = (p.summary.columns[column]?.stats as Record<string, number> | undefined)?.[statistic];
        if (v === undefined) continue;
        sum += v;
        sq += v * v;
        n++;
      }
      const mean = sum / n;
      const std = Math.sqrt(Math.max(0, sq / n - mean * mean));
      if (std > 0 && Math.abs(stats[statistic]! - mean) / std >= 3) flagged++;
    }
  }
  return flagged;
}

function timed(repeats: number, run: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < repeats + 1; r++) {
    const t0 = performance.now();
    run();
    if (r > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

/** Fresh copies of the summaries: nothing cached from an earlier run (the detector caches per summary object). */
const fresh = (partitions: PartitionInput[]) => partitions.map((p) => ({ partition: p.partition, summary: structuredClone(p.summary) }));

/**
 * P6: one check of the newest partition against a year of history (365 partitions × 50
 * columns, the window widened to all of it), cold (summaries never seen) and repeated; P6b:
 * re-judging the whole year in time order with detect() per partition (window 30), as the
 * engine's check does; P6c: the same with detectSeries (flagged partitions leave the history).
 */
export function benchDetection(): BenchResult[] {
  const partitions = year();
  const history = partitions.slice(0, 364);
  const current = partitions[364]!;
  const one = timed(REPEATS, () => detect(history, current, { window: 365 }));
  const copies = Array.from({ length: REPEATS + 1 }, () => fresh(partitions));
  let copy = 0;
  const cold = timed(REPEATS, () => {
    const c = copies[copy++]!;
    detect(c.slice(0, 364), c[364]!, { window: 365 });
  });
  const oneFloor = timed(REPEATS, () => plainZ(history, current));
  let drifted = 0;
  const scanCopies = Array.from({ length: REPEATS + 1 }, () => fresh(partitions));
  copy = 0;
  const scan = timed(REPEATS, () => {
    const c = scanCopies[copy++]!;
    drifted = 0;
    for (let t = 0; t < c.length; t++) if (detect(c.slice(0, t), c[t]!).status === "drift") drifted++;
  });
  const seriesCopies = Array.from({ length: REPEATS + 1 }, () => fresh(partitions));
  copy = 0;
  let seriesDrifted = 0;
  const series = timed(REPEATS, () => {
    seriesDrifted = detectSeries(seriesCopies[copy++]!).filter((v) => v.status === "drift").length;
  });
  const plainCopies = Array.from({ length: REPEATS + 1 }, () => fresh(partitions));
  copy = 0;
  const seriesPlain = timed(REPEATS, () => {
    detectSeries(plainCopies[copy++]!, { valueShares: false });
  });
  const scanFloor = timed(REPEATS, () => {
    for (let t = 5; t < partitions.length; t++) plainZ(partitions.slice(Math.max(0, t - 30), t), partitions[t]!);
  });
  return [
    {
      name: "P6 drift check of one partition vs 364 earlier × 50 columns, vs a plain z-score pass",
      value: one, unit: "ms", baseline: oneFloor, ratio: one / oneFloor, goal: "< 100 ms",
      note: `window widened to the whole year; repeated check (summaries seen before); cold, first sight of every summary: ${cold.toFixed(1)} ms`,
    },
    {
      name: "P6b drift re-judging all 365 partitions with detect() (window 30) vs a plain z-score pass",
      value: scan, unit: "ms", baseline: scanFloor, ratio: scan / scanFloor, goal: "< 100 ms",
      note: `${drifted} of 365 clean synthetic partitions flagged; summaries never seen before each run`,
    },
    {
      name: "P6c drift detectSeries over 365 partitions × 50 columns (window 30) vs a plain z-score pass",
      value: series, unit: "ms", baseline: scanFloor, ratio: series / scanFloor, goal: "< 100 ms",
      note: `${seriesDrifted} of 365 clean synthetic partitions flagged (flagged ones leave the history)`,
    },
    {
      name: "P6d drift detectSeries as P6c without per-value shares (valueShares: false) vs a plain z-score pass",
      value: seriesPlain, unit: "ms", baseline: scanFloor, ratio: seriesPlain / scanFloor, goal: "< 100 ms",
      note: "the summary statistics alone: what the value-share pooling costs on top",
    },
  ];
}
