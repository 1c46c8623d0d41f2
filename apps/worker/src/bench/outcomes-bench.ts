/**
 * Benchmark: reading a trigger's per-version outcomes (50 versions × 2 params hashes) stays as
 * fast with 1M inferences as with 100k (and near 10k), because it reads the rollup tables the ingest keeps,
 * never the inferences. Fills a temp SQLite database through the ingest's own writes
 * (rows + inferences + rollup in one transaction per batch), timing `motion.outcomes` at 10k and
 * at 1M inferences, and a GROUP BY scan of the inferences for comparison. Also the Compare
 * page's read over time (two versions, the last 7 days in hours), inferences spread over the week.
 *
 *   npm run bench -- outcomes        (MOTION_BENCH_OUTCOMES_ROWS to change the 1M)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { addHours, addOutcomes, defineApp, Motion, relation, rollUpHours, rollUpInferences, trigger } from "@motion/engine";
import { all, insertIngest, newId, run, type InferenceInsert, type RowInsert } from "@motion/db";
import { median, type BenchResult } from "./stats.ts";

const asks = relation("asks", { schema: z.object({ text: z.string() }) });
const scorer = trigger("scorer", { routes: [{ relation: asks, infer: ({ row }) => row.data.text.length }] });
const benchApp = defineApp({ name: "outcomes-bench", relations: [asks], triggers: [scorer] });

const VERSIONS = 50;
const BATCH = 20_000;

async function fill(motion: Motion, from: number, to: number): Promise<void> {
  let seed = from + 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let done = from; done < to; done += BATCH) {
    const n = Math.min(BATCH, to - done);
    const rows: RowInsert[] = new Array(n);
    const inferences: InferenceInsert[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = done + i;
      // Spread over the last 7 days, one hour after another.
      const now = new Date(Date.now() - (k % 168) * 3_600_000);
      const id = newId(now.getTime());
      rows[i] = { id, relation: "asks", key: null, data: `{"text":"q${k}"}`, partition: "2026-12-01", createdAt: now };
      // Log-normal latencies around 2 ms; 1% errors; a third cached.
      const latencyMs = Math.exp(Math.log(2) + 0.8 * Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random()));
      inferences[i] = {
        id: newId(now.getTime()), rowId: id, relation: "asks", trigger: "scorer", route: "asks", output: "3", error: k % 100 === 0 ? "boom" : null,
        stateVersion: k % VERSIONS, paramsHash: k % 2 ? "params-a" : "params-b", inputHash: "", latencyMs, cached: k % 3 === 0, createdAt: now,
      };
    }
    const rollup = rollUpInferences(inferences);
    const hours = rollUpHours(inferences);
    await motion.db.tx(function* () {
      yield* insertIngest(rows, inferences, []);
      yield* addOutcomes(rollup, 0);
      yield* addHours(hours, 0);
    });
  }
}

async function timeReads(motion: Motion, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const page = await motion.outcomes("scorer", { limit: VERSIONS });
    times.push(performance.now() - t0);
    if (page.versions.length !== VERSIONS) throw new Error(`expected ${VERSIONS} versions, got ${page.versions.length}`);
  }
  return median(times);
}

async function timeOverTime(motion: Motion, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const read = await motion.outcomesOverTime("scorer", { versions: [0, 1] });
    times.push(performance.now() - t0);
    if (read.bucket !== "hour" || read.series.length !== 2) throw new Error("expected two hourly series");
  }
  return median(times);
}

export async function benchOutcomes(log: (line: string) => void = console.log): Promise<BenchResult[]> {
  const total = Number(process.env.MOTION_BENCH_OUTCOMES_ROWS ?? 1_000_000);
  const small = Math.min(10_000, total);
  const dir = mkdtempSync(path.join(os.tmpdir(), "motion-bench-"));
  const motion = await Motion.open({ app: benchApp, databaseUrl: `file:${path.join(dir, "bench.db")}`, fitIn: "inline" });
  try {
    // Versions 1..49 as copies of version 0 (fits are not what this measures).
    await motion.db.tx(function* () {
      const [v0] = yield* all<Record<string, unknown>>(`SELECT * FROM "StateVersion" WHERE "trigger" = 'scorer' AND "version" = 0`);
      for (let v = 1; v < VERSIONS; v++) {
        yield* run(`INSERT INTO "StateVersion" ("trigger", "version", "parent", "fitRunId", "entries", "size", "checksum", "createdAt") VALUES (?, ?, ?, NULL, ?, ?, ?, ?)`, ["scorer", v, v - 1, v0!.entries, v0!.size, v0!.checksum, new Date()]);
      }
    });
    await fill(motion, 0, small);
    const atSmall = await timeReads(motion, 30);
    const mid = Math.min(100_000, total);
    await fill(motion, small, mid);
    const atMid = await timeReads(motion, 30);
    const overMid = await timeOverTime(motion, 30);
    const fillStart = performance.now();
    await fill(motion, mid, total);
    log(`filled ${total.toLocaleString()} inferences in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
    const atTotal = await timeReads(motion, 30);
    const overTotal = await timeOverTime(motion, 30);
    const scans: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await motion.db.read(() => all(`SELECT "stateVersion", "paramsHash", COUNT(*), AVG("latencyMs") FROM "Inference" WHERE "trigger" = 'scorer' GROUP BY "stateVersion", "paramsHash"`));
      scans.push(performance.now() - t0);
    }
    const scan = median(scans);
    const label = `${(total / 1e6).toLocaleString()}M`;
    return [
      {
        name: `Outcomes of 50 versions at ${label} inferences vs at ${mid.toLocaleString()}`,
        value: atTotal, unit: "ms", baseline: atMid, ratio: atTotal / atMid, goal: "ratio <= 1.5",
        note: "once each version's latency buckets are populated, more inferences add nothing to read",
      },
      {
        name: `Outcomes of 50 versions at ${label} inferences vs at ${small.toLocaleString()}`,
        value: atTotal, unit: "ms", baseline: atSmall, ratio: atTotal / atSmall, goal: "<= 50 ms",
        note: "motion.outcomes reads the rollup (versions × params × populated latency buckets), never the inferences",
      },
      {
        name: `Outcomes over time (2 versions, 7 days in hours) at ${label} inferences vs at ${mid.toLocaleString()}`,
        value: overTotal, unit: "ms", baseline: overMid, ratio: overTotal / overMid, goal: "<= 100 ms",
        note: "reads hours × params hashes × populated latency buckets of the two versions; the latency buckets per hour fill up (a few dozen at most), then stop growing",
      },
      {
        name: `Outcomes of 50 versions vs a GROUP BY scan of ${label} inferences`,
        value: atTotal, unit: "ms", baseline: scan, ratio: atTotal / scan,
        note: "the scan counts only (no percentiles, no labels) and grows with the inferences",
      },
    ];
  } finally {
    await motion.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
