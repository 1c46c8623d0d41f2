// The scheduler bench's app: one route fitted every 5 seconds (simulated) with the rows since
// the last tick. State counts ticks and rows, so a tick run twice or a row fitted twice shows.
import { z } from "zod";
import { defineApp, relation, trigger } from "@motion/engine";

export const SCHEDULE_BENCH_CRON = "*/5 * * * * *";

export const beats = relation("beats", { schema: z.object({ from: z.number(), n: z.number() }) });

export const ticker = trigger("ticker", {
  setUp: () => ({ ticks: 0, rows: 0 }),
  routes: [{
    relation: beats,
    schedule: { cron: SCHEDULE_BENCH_CRON },
    fit: ({ state, rows }) => ({ ticks: (state.ticks as number) + 1, rows: (state.rows as number) + rows.length }),
  }],
});

export const scheduleBenchApp = defineApp({ name: "schedule-bench", relations: [beats], triggers: [ticker] });

/** Simulated time: `speed` times faster than real time from `realStart`, never before `simStart`. */
export function simulatedClock(simStart: number, realStart: number, speed: number): () => Date {
  return () => new Date(simStart + Math.max(0, Date.now() - realStart) * speed);
}
