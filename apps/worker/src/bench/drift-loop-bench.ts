// The drift check must not stall answers: p99 of `add` on the same process while a check
// judges a year of daily partitions, against the same adds with no check running.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { Motion, defineApp, relation, trigger } from "@motion/engine";
import { percentile, type BenchResult } from "./stats.ts";

const DAYS = 365;
const PER_DAY = 60;

const sensors = relation("sensors", {
  schema: z.object({
    day: z.string(), site: z.string(), kind: z.string(), ok: z.boolean(),
    ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`m${i}`, z.number()])),
  }),
  partitionBy: { by: "day", granularity: "day" },
  profile: { exclude: ["day"] },
});
const probes = relation("probes", { schema: z.object({ n: z.number() }), profile: { enabled: false } });
const echo = trigger("echo", { routes: [{ relation: probes, infer: ({ row }) => row.data.n }], cache: false });
const app = defineApp({ name: "bench-drift-loop", relations: [sensors, probes], triggers: [echo] });

function yearOfRows(): Record<string, unknown>[] {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: Record<string, unknown>[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(Date.UTC(2023, 0, 1 + d)).toISOString().slice(0, 10);
    for (let r = 0; r < PER_DAY; r++) {
      const row: Record<string, unknown> = { day, site: `site-${Math.floor(rand() * 20)}`, kind: ["a", "b", "c"][Math.floor(rand() * 3)], ok: rand() < 0.95 };
      for (let i = 0; i < 16; i++) row[`m${i}`] = Math.round((10 + i + 3 * rand()) * 100) / 100;
      out.push(row);
    }
  }
  return out;
}

async function addLatencies(motion: Motion, until: () => boolean, min: number): Promise<number[]> {
  const out: number[] = [];
  for (let n = 0; out.length < min || !until(); n++) {
    const t0 = performance.now();
    await motion.add("probes", { n });
    out.push(performance.now() - t0);
    // An interactive caller, not a tight loop: about 500 adds per second.
    await new Promise((r) => setTimeout(r, 2));
  }
  return out.sort((a, b) => a - b);
}

/** Rounds of (idle adds, then adds during a check), each on a fresh copy of the loaded database. */
const ROUNDS = Number(process.env.MOTION_BENCH_DRIFT_ROUNDS ?? 5);

function copyDatabase(from: string, to: string): void {
  for (const suffix of ["", "-wal", "-shm"]) if (fs.existsSync(from + suffix)) fs.copyFileSync(from + suffix, to + suffix);
}

export async function benchDriftLoop(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-bench-drift-"));
  const loaded = path.join(dir, "loaded.db");
  try {
    const setup = await Motion.open({ app, databaseUrl: `file:${loaded}`, fitIn: "inline", drift: { autoCheck: false } });
    const rows = yearOfRows();
    for (let i = 0; i < rows.length; i += 1000) await setup.addMany("sensors", rows.slice(i, i + 1000));
    await setup.close();
    // A p99 of one check's few hundred adds is the 4th-slowest of them: pooled over rounds (each
    // judging the same year from scratch) it says something; the per-round ratios show the spread.
    const idle: number[] = [];
    const busy: number[] = [];
    const ratios: number[] = [];
    const checkMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const file = path.join(dir, `round-${round}.db`);
      copyDatabase(loaded, file);
      const motion = await Motion.open({ app, databaseUrl: `file:${file}`, fitIn: "inline", drift: { autoCheck: false } });
      try {
        for (let n = 0; n < 200; n++) await motion.add("probes", { n }); // warm up
        const calm = await addLatencies(motion, () => true, 400);
        let done = false;
        const t0 = performance.now();
        const check = motion.drift.check("sensors").then((judged) => {
          done = true;
          return judged;
        });
        const during = await addLatencies(motion, () => done, 100);
        const judged = await check;
        checkMs.push(performance.now() - t0);
        if (judged.length !== DAYS) throw new Error(`expected ${DAYS} partitions judged, got ${judged.length}`);
        ratios.push(percentile(during, 99) / percentile(calm, 99));
        idle.push(...calm);
        busy.push(...during);
      } finally {
        await motion.close();
      }
    }
    idle.sort((a, b) => a - b);
    busy.sort((a, b) => a - b);
    const p99Idle = percentile(idle, 99);
    const p99Busy = percentile(busy, 99);
    return [
      {
        name: "Drift check of 365 partitions: add p99 during the check vs idle", value: p99Busy, unit: "ms", baseline: p99Idle, ratio: p99Busy / p99Idle, goal: "ratio <= 1.5",
        note: `${DAYS}×${PER_DAY} rows, 20 columns, SQLite; ${ROUNDS} rounds, p99 of the pooled adds (${busy.length} during checks, ${idle.length} idle); checks took ${checkMs.map((ms) => Math.round(ms)).join(" / ")} ms; per-round ratios ${ratios.map((r) => r.toFixed(2)).join(" / ")}`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
