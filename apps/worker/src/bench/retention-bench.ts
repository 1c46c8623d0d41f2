/**
 * Benchmark: retention deleting 1M old rows (with their 1M inferences) in batches while `add`
 * (which runs infer) keeps going in the same process. Reports the add+infer p99 while the purge
 * runs against the p99 of the same load idle (goal: within 1.5×), and the rows freed, batches
 * and duration of the purge. Fills the database with batched multi-row inserts (rows 100 days
 * old, one per millisecond of history), so setup stays well under two minutes.
 *
 *   npm run bench -- retention       SQLite (temp file)
 *   npm run bench -- retention-pg    PostgreSQL (throwaway database on the test server)
 *   npm run bench -- retention-unpaced   SQLite with pacing off (maxBatchMs: 0), the "before"
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { defineApp, Motion, relation, trigger } from "@motion/engine";
import { insertIngest, type InferenceInsert, type RowInsert } from "@motion/db";
import { createThrowawayDatabase } from "@motion/db/test-support";
import { percentile, type BenchResult } from "./stats.ts";

const events = relation("events", { schema: z.object({ user: z.string(), value: z.number() }), retention: { days: 30 } });
const score = trigger("score", { setUp: () => ({}), routes: [{ relation: events, infer: ({ row }) => ({ score: row.data.value * 2 }) }] });
const benchApp = defineApp({ name: "retention-bench", relations: [events], triggers: [score] });

export interface RetentionBenchOptions {
  rows?: number;
  /** Rows per purge transaction (the engine's default when absent). */
  batchSize?: number;
  /** Retention pacing (the engine's default when absent; 0 = unpaced). */
  maxBatchMs?: number;
  /** How long the first idle phase measures add+infer (more idle phases alternate with the purge). */
  idleMs?: number;
  log?: (line: string) => void;
}

/** An id of instant `ms` (newId never goes back in time: old rows need ids of their own instant). */
const oldId = (ms: number, kind: string) => ms.toString(36).padStart(9, "0") + "0000" + kind + "000000";

async function fill(motion: Motion, total: number, log: (line: string) => void): Promise<void> {
  const batch = 20_000;
  const fillStart = performance.now();
  const start = Date.now() - 100 * 86_400_000 - total; // 100 days old: past the 30-day policy
  for (let done = 0; done < total; done += batch) {
    const n = Math.min(batch, total - done);
    const rows: RowInsert[] = new Array(n);
    const inferences: InferenceInsert[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const ms = start + done + i;
      const createdAt = new Date(ms);
      const id = oldId(ms, "r");
      rows[i] = { id, relation: "events", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt, data: JSON.stringify({ user: `u${(done + i) % 997}`, value: (done + i) % 100 }) };
      inferences[i] = {
        id: oldId(ms, "i"), rowId: id, relation: "events", trigger: "score", route: "events", output: JSON.stringify({ score: (done + i) % 100 }), error: null,
        stateVersion: 0, paramsHash: "bench", inputHash: `h${i}`, latencyMs: 0.05, cached: false, createdAt,
      };
    }
    await motion.db.tx(() => insertIngest(rows, inferences, []));
  }
  log(`filled ${total.toLocaleString()} old rows and inferences in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
}

/** One add (infer included) after another until `until()` says stop; returns the latencies. */
async function load(motion: Motion, until: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  let i = 0;
  while (!until()) {
    const t = performance.now();
    const r = await motion.add("events", { user: `live${i % 50}`, value: i++ % 100 });
    samples.push(performance.now() - t);
    if (r.inferences.length !== 1) throw new Error("add did not infer");
    // A steady client, not a saturating one: the event loop gets the same chance in both phases.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return samples;
}

export async function benchRetention(provider: "sqlite" | "postgresql", adminUrl: string | null, options: RetentionBenchOptions = {}): Promise<BenchResult[]> {
  const total = options.rows ?? 1_000_000;
  const idleMs = options.idleMs ?? 10_000;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), "motion-bench-"));
  const pg = provider === "postgresql" ? await createThrowawayDatabase(adminUrl!, "motion_bench") : null;
  const url = pg ? pg.url : `file:${path.join(dir, "bench.db")}`;
  const motion = await Motion.open({ app: benchApp, databaseUrl: url, fitIn: "inline", retention: { auto: false } });
  try {
    await fill(motion, total, log);
    await load(motion, (() => { const end = performance.now() + 1_000; return () => performance.now() > end; })()); // warm-up
    const idleEnd = performance.now() + idleMs;
    const idle = await load(motion, () => performance.now() > idleEnd);

    // The machine may be shared: idle and purging phases alternate (2 s each) so both see the
    // same background load; the purge resumes where it stopped (its keyset restarts cheaply).
    const idleSamples: number[] = [...idle];
    const busySamples: number[] = [];
    const report = { rows: 0, inferences: 0, batches: 0, done: false };
    let purgeMs = 0;
    while (!report.done) {
      let purging = true;
      const t0 = performance.now();
      const purge = motion.retention
        .purge("events", { before: new Date(Date.now() - 30 * 86_400_000), actor: "bench", batchSize: options.batchSize, maxBatchMs: options.maxBatchMs, maxMs: 2_000 })
        .finally(() => (purging = false));
      const [part, samples] = await Promise.all([purge, load(motion, () => !purging)]);
      purgeMs += performance.now() - t0;
      busySamples.push(...samples);
      report.rows += part.rows;
      report.inferences += part.inferences;
      report.batches += part.batches;
      report.done = part.done;
      const end = performance.now() + 2_000;
      idleSamples.push(...(await load(motion, () => performance.now() > end)));
    }
    const seconds = purgeMs / 1000;
    const busy = busySamples.sort((a, b) => a - b);
    const idleAll = idleSamples.sort((a, b) => a - b);
    const idleP99 = percentile(idleAll, 99);
    const busyP99 = percentile(busy, 99);
    const ratio = busyP99 / idleP99;
    const label = options.maxBatchMs === 0 ? `${provider} unpaced` : options.maxBatchMs !== undefined ? `${provider} maxBatchMs ${options.maxBatchMs}` : provider;
    log(
      `${label}: retention freed ${report.rows.toLocaleString()} rows (${report.inferences.toLocaleString()} inferences) in ${report.batches} batches, ${seconds.toFixed(1)} s purging ` +
        `(${Math.round(report.rows / seconds).toLocaleString()} rows/s); add+infer idle: ${idleAll.length} adds, p99 ${idleP99.toFixed(3)} ms; during the purge: ${busy.length} adds, p50 ${percentile(busy, 50).toFixed(3)} ms, p99 ${busyP99.toFixed(3)} ms, ` +
        `max ${busy.at(-1)!.toFixed(1)} ms; p99 ratio ${ratio.toFixed(2)}× (goal ≤ 1.5×)`,
    );
    if (report.rows !== total) throw new Error(`retention freed ${report.rows} of ${total} rows (done: ${report.done})`);
    return [
      { name: `Retention ${label}: add+infer p99 while deleting ${total.toLocaleString()} rows`, value: busyP99, unit: "ms", baseline: idleP99, ratio, goal: "ratio ≤ 1.5 (idle p99 baseline)", note: `${report.batches} batches` },
      { name: `Retention ${label}: rows freed per second`, value: report.rows / seconds, unit: "rows/s", baseline: report.rows / seconds, ratio: 1, note: `${report.rows} rows, ${report.batches} batches, ${seconds.toFixed(1)} s` },
    ];
  } finally {
    await motion.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
