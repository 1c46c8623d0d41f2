/**
 * Benchmark: the caller-facing `add` (one row, its infer answered and stored) with shadow on
 * (share 1: every row is inferred again on the candidate) against shadow off, p99 over the same
 * number of calls, alternating blocks of each so both see the same machine. Goal: ≤ 1.2×.
 * The shadow work itself runs on later event-loop turns, a bounded batch per turn.
 *
 *   npm run bench -- shadow          (MOTION_BENCH_SHADOW_CALLS to change the 4,000 per mode)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { defineApp, Motion, relation, trigger } from "@motion/engine";
import { all } from "@motion/db";
import { percentile, type BenchResult } from "./stats.ts";

const asks = relation("asks", { schema: z.object({ user: z.string(), text: z.string() }), key: "user" });
const lessons = relation("lessons", { schema: z.object({ weight: z.number() }) });
// A small model: a dot product over 2,000 weights per answer (≈ tens of µs), so infer is real work.
const scorer = trigger("scorer", {
  cache: false,
  setUp: () => ({ weights: Array.from({ length: 2000 }, (_, i) => (i % 7) / 7) }),
  routes: [
    {
      relation: asks,
      infer: ({ state, row }) => {
        const w = state.weights as number[];
        let s = 0;
        for (let i = 0; i < w.length; i++) s += w[i]! * ((row.data.text.charCodeAt(i % row.data.text.length) % 13) / 13);
        return { score: Math.round(s * 1000) / 1000 };
      },
    },
    { relation: lessons, fit: ({ state, rows }) => ({ weights: (state.weights as number[]).map((x) => x * rows[0]!.data.weight) }) },
  ],
});
const benchApp = defineApp({ name: "shadow-bench", relations: [asks, lessons], triggers: [scorer] });

export async function benchShadow(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "motion-shadow-bench-"));
  const motion = await Motion.open({ app: benchApp, databaseUrl: `file:${path.join(dir, "bench.db")}`, fitIn: "inline", drift: { autoCheck: false } });
  try {
    await motion.add("lessons", { weight: 1.1 });
    await motion.flush();
    await motion.rollback("scorer", 0, { actor: "bench" });
    await motion.setCandidate("scorer", 1, { actor: "bench" });
    const calls = Number(process.env.MOTION_BENCH_SHADOW_CALLS ?? 4000);
    const block = 250;
    const times = { off: [] as number[], on: [] as number[] };
    let n = 0;
    // Warm-up, then alternate blocks: off, on, off, on…
    for (let i = 0; i < 300; i++) await motion.add("asks", { user: `w${i}`, text: `warm ${i}` });
    for (let b = 0; b < (2 * calls) / block; b++) {
      const mode = b % 2 === 0 ? "off" : "on";
      await motion.setExperiment("scorer", { shadow: { share: mode === "on" ? 1 : 0 } }, { actor: "bench" });
      for (let i = 0; i < block; i++) {
        const t0 = performance.now();
        await motion.add("asks", { user: `u${n}`, text: `question ${n++} about things` });
        times[mode].push(performance.now() - t0);
      }
      await motion.shadow.idle();
    }
    const shadowed = await motion.db.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "ShadowInference"`));
    const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q);
    const off99 = p(times.off, 99);
    const on99 = p(times.on, 99);
    return [
      {
        name: "add p99 with shadow on (share 1) vs off", value: on99, unit: "ms", baseline: off99, ratio: on99 / off99, goal: "≤ 1.2×",
        note: `${times.on.length} calls each; p50 ${p(times.on, 50).toFixed(3)} vs ${p(times.off, 50).toFixed(3)} ms; ${Number(shadowed[0]!.n)} shadow inferences written, ${motion.shadow.stats.dropped} dropped`,
      },
    ];
  } finally {
    await motion.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
