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
import { prepare, storage, type Database } from "@motion/db";

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

/**
 * Ticks older than `before` that are history only: a manual tick, or a tick with a later
 * non-manual one of its route; and not a run/manual tick unless a later run/manual one exists.
 */
const DOOMED_TICKS = prepare((before: Date, limit: number) =>
  storage.selectFrom("ScheduleTick as t").select(["t.trigger", "t.route", "t.tickAt"]).where("t.tickAt", "<", before)
    .where((eb) => eb.or([
      eb("t.kind", "=", "manual"),
      eb.exists(eb.selectFrom("ScheduleTick as x").select("x.tickAt").whereRef("x.trigger", "=", "t.trigger").whereRef("x.route", "=", "t.route").whereRef("x.tickAt", ">", "t.tickAt").where("x.kind", "<>", "manual")),
    ]))
    .where((eb) => eb.or([
      eb("t.kind", "not in", ["run", "manual"]),
      eb.exists(eb.selectFrom("ScheduleTick as y").select("y.tickAt").whereRef("y.trigger", "=", "t.trigger").whereRef("y.route", "=", "t.route").whereRef("y.tickAt", ">", "t.tickAt").where("y.kind", "in", ["run", "manual"])),
    ]))
    .orderBy("t.tickAt").limit(limit),
);
const DELETE_TICK = prepare((trigger: string, route: string, tickAt: unknown) => storage.deleteFrom("ScheduleTick").where("trigger", "=", trigger).where("route", "=", route).where("tickAt", "=", tickAt as Date));
const DOOMED_SAMPLES = prepare((before: Date, limit: number) => storage.selectFrom("BacklogSample").select(["trigger", "route", "at"]).where("at", "<", before).orderBy("at").limit(limit));
const DELETE_SAMPLE = prepare((trigger: string, route: string, at: unknown) => storage.deleteFrom("BacklogSample").where("trigger", "=", trigger).where("route", "=", route).where("at", "=", at as Date));
const DOOMED_MINUTES = prepare((before: Date, limit: number) => storage.selectFrom("InferenceMinute").select(["trigger", "minute", "shard"]).where("minute", "<", before).orderBy("minute").limit(limit));
const DELETE_MINUTE = prepare((trigger: string, minute: unknown, shard: number) =>
  storage.deleteFrom("InferenceMinute").where("trigger", "=", trigger).where("minute", "=", minute as Date).where("shard", "=", shard),
);
const DELETE_MINUTE_LATENCY = prepare((trigger: string, minute: unknown) => storage.deleteFrom("InferenceMinuteLatency").where("trigger", "=", trigger).where("minute", "=", minute as Date));

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
      const doomed = yield* DOOMED_TICKS.all(before, batchSize);
      for (const t of doomed) yield* DELETE_TICK.run(t.trigger, t.route, t.tickAt);
      return doomed.length;
    }),
  );
  report.backlogSamples = await loop(() =>
    db.tx(function* () {
      const doomed = yield* DOOMED_SAMPLES.all(before, batchSize);
      for (const s of doomed) yield* DELETE_SAMPLE.run(s.trigger, s.route, s.at);
      return doomed.length;
    }),
  );
  report.inferenceMinutes = await loop(() =>
    db.tx(function* () {
      // Rows of one (trigger, minute) go together with their latency histogram (its primary-key prefix).
      const doomed = yield* DOOMED_MINUTES.all(before, batchSize);
      const minutes = new Map<string, { trigger: string; minute: unknown }>();
      for (const m of doomed) {
        yield* DELETE_MINUTE.run(m.trigger, m.minute, m.shard);
        minutes.set(`${m.trigger}\0${String(m.minute)}`, m);
      }
      for (const m of minutes.values()) yield* DELETE_MINUTE_LATENCY.run(m.trigger, m.minute);
      return doomed.length;
    }),
  );
  return report;
}
