// Bookkeeping pruning: tables that only describe the past grow by time, not by data — schedule
// ticks (one per cron instant per scheduled route), backlog samples (one per fit route per
// minute) and the per-minute inference rollups behind the Overview (which reads one day at
// most). The retention pass deletes their rows older than `bookkeepingDays`, in bounded
// batches walked by an index on their instant, each its own short transaction.
// Exactly-once scheduling needs only the latest ticks of each route: the claim reads the
// latest non-manual tick (what is due next, what was missed) and the console the latest
// run or manual one; both are kept whatever their age. Older ticks are history only.
// A retention purge of inferences older than this window subtracts from rollup minutes already
// pruned: the rows it writes back are negative counts of old minutes, pruned by the next pass.
import { all, run, type Database } from "@motion/db";

export interface BookkeepingReport {
  before: Date;
  scheduleTicks: number;
  backlogSamples: number;
  inferenceMinutes: number;
  batches: number;
}

export interface BookkeepingOptions {
  before: Date;
  /** Rows per transaction (default 500). */
  batchSize?: number;
  /** Between batches (default: a turn of the event loop). */
  pause?: () => Promise<unknown>;
  /** Stop early when this says so (the service closing). */
  stopped?: () => boolean;
}

const TICK_BATCH_SQL = `
SELECT t."trigger", t."route", t."tickAt" FROM "ScheduleTick" t
WHERE t."tickAt" < ?
  AND (t."kind" = 'manual' OR EXISTS (SELECT 1 FROM "ScheduleTick" x WHERE x."trigger" = t."trigger" AND x."route" = t."route" AND x."tickAt" > t."tickAt" AND x."kind" <> 'manual'))
  AND (t."kind" NOT IN ('run', 'manual') OR EXISTS (SELECT 1 FROM "ScheduleTick" y WHERE y."trigger" = t."trigger" AND y."route" = t."route" AND y."tickAt" > t."tickAt" AND y."kind" IN ('run', 'manual')))
ORDER BY t."tickAt" LIMIT ?`;

export async function pruneBookkeeping(db: Database, options: BookkeepingOptions): Promise<BookkeepingReport> {
  const batchSize = options.batchSize ?? 500;
  const pause = options.pause ?? (() => new Promise((resolve) => setImmediate(resolve)));
  const before = options.before;
  const report: BookkeepingReport = { before, scheduleTicks: 0, backlogSamples: 0, inferenceMinutes: 0, batches: 0 };
  const loop = async (step: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      if (options.stopped?.()) return total;
      const n = await step();
      if (n === 0) return total;
      total += n;
      report.batches++;
      if (n < batchSize) return total;
      await pause();
    }
  };
  report.scheduleTicks = await loop(() =>
    db.tx(function* () {
      const doomed = yield* all<{ trigger: string; route: string; tickAt: unknown }>(TICK_BATCH_SQL, [before, batchSize]);
      for (const t of doomed) yield* run(`DELETE FROM "ScheduleTick" WHERE "trigger" = ? AND "route" = ? AND "tickAt" = ?`, [t.trigger, t.route, t.tickAt]);
      return doomed.length;
    }),
  );
  report.backlogSamples = await loop(() =>
    db.tx(function* () {
      const doomed = yield* all<{ trigger: string; route: string; at: unknown }>(`SELECT "trigger", "route", "at" FROM "BacklogSample" WHERE "at" < ? ORDER BY "at" LIMIT ?`, [before, batchSize]);
      for (const s of doomed) yield* run(`DELETE FROM "BacklogSample" WHERE "trigger" = ? AND "route" = ? AND "at" = ?`, [s.trigger, s.route, s.at]);
      return doomed.length;
    }),
  );
  report.inferenceMinutes = await loop(() =>
    db.tx(function* () {
      // Rows of one (trigger, minute) go together with their latency histogram (its primary-key prefix).
      const doomed = yield* all<{ trigger: string; minute: unknown; shard: unknown }>(`SELECT "trigger", "minute", "shard" FROM "InferenceMinute" WHERE "minute" < ? ORDER BY "minute" LIMIT ?`, [before, batchSize]);
      const minutes = new Map<string, { trigger: string; minute: unknown }>();
      for (const m of doomed) {
        yield* run(`DELETE FROM "InferenceMinute" WHERE "trigger" = ? AND "minute" = ? AND "shard" = ?`, [m.trigger, m.minute, m.shard]);
        minutes.set(`${m.trigger}\0${String(m.minute)}`, m);
      }
      for (const m of minutes.values()) yield* run(`DELETE FROM "InferenceMinuteLatency" WHERE "trigger" = ? AND "minute" = ?`, [m.trigger, m.minute]);
      return doomed.length;
    }),
  );
  return report;
}
