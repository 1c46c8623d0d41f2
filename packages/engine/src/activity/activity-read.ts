import { selectAll, sql, storage, toDateOrNull, toNum, toNumOrNull, type Provider, type Query } from "@motion/db";
import { histogramQuantiles } from "../outcomes/latency-histogram.ts";
import { MINUTE_MS } from "./minute-rollup.ts";

// The console's activity over a window, from the per-minute rollups: minutes merge into
// buckets of any whole number of minutes by adding counts and histograms (exact), and p50/p99
// come from the merged histogram (within 2% of the true value at that rank).

export interface ActivityBucket {
  /** Start of the bucket, epoch ms. */
  t: number;
  inferences: number;
  errors: number;
  latencySum: number;
  latencyP50: number | null;
  latencyP99: number | null;
}

export interface TriggerActivity {
  trigger: string;
  /** Only buckets with inferences, ascending. */
  buckets: ActivityBucket[];
  totals: { inferences: number; errors: number; latencySum: number; latencyP50: number | null; latencyP99: number | null };
}

export interface FitSample {
  trigger: string;
  /** When the run finished, epoch ms. */
  at: number;
  durationMs: number | null;
  status: string;
}

export interface Activity {
  from: Date;
  to: Date;
  bucketMinutes: number;
  triggers: TriggerActivity[];
  /** Finished fit runs in the window (raw: a fit is one batch, far fewer than inferences). */
  fits: FitSample[];
  /** False when more than `maxFits` runs finished in the window and only the first were read. */
  fitsComplete: boolean;
}

export interface ActivityWindow {
  triggers: readonly string[];
  from: Date;
  to: Date;
  bucketMinutes: number;
  /** Most fit runs read (default 200,000); beyond it `fitsComplete` is false. */
  maxFits?: number;
}

/** A bucket's start (epoch ms) from the stored minute; `size` is an integer literal (GROUP BY matches the select). */
function bucketExpr(provider: Provider, size: number) {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`bad bucket size ${size}`);
  const n = sql.lit(size);
  return provider === "sqlite"
    ? sql<number>`((${sql.ref("minute")} / ${n}) * ${n})`
    : sql<number>`(floor(extract(epoch from ${sql.ref("minute")}) * 1000 / ${n}) * ${n})::bigint`;
}

export function* readActivity(provider: Provider, window: ActivityWindow): Query<Activity> {
  const { triggers, from, to, bucketMinutes } = window;
  if (!Number.isInteger(bucketMinutes) || bucketMinutes < 1) throw new RangeError(`bucketMinutes must be a positive integer`);
  const maxFits = window.maxFits ?? 200_000;
  const size = bucketMinutes * MINUTE_MS;
  const t = bucketExpr(provider, size);
  const names = triggers.length ? triggers : [""];
  const counts = yield* selectAll(
    storage.selectFrom("InferenceMinute")
      .select((eb) => ["trigger", t.as("t"), eb.fn.sum("inferences").as("n"), eb.fn.sum("errors").as("e"), eb.fn.sum("latencySum").as("s")])
      .where("trigger", "in", names).where("minute", ">=", from).where("minute", "<", to).groupBy(["trigger", t]),
  );
  const histograms = yield* selectAll(
    storage.selectFrom("InferenceMinuteLatency").select((eb) => ["trigger", t.as("t"), "bucket", eb.fn.sum("count").as("n")])
      .where("trigger", "in", names).where("minute", ">=", from).where("minute", "<", to).groupBy(["trigger", t, "bucket"]),
  );
  // The fit runs that finished in the window, a (trigger, finishedAt) index range per trigger:
  // an id range with a day of slack for long runs read a day of fits for an hour's chart.
  const fitRows = yield* selectAll(
    storage.selectFrom("FitRun").select(["trigger", "finishedAt", "durationMs", "status"]).where("trigger", "in", names).where("finishedAt", ">=", from).where("finishedAt", "<", to).limit(maxFits + 1),
  );

  const perTrigger = new Map<string, Map<number, { c: ActivityBucket; h: Map<number, number> }>>();
  const slot = (trigger: string, at: number) => {
    let m = perTrigger.get(trigger);
    if (!m) perTrigger.set(trigger, (m = new Map()));
    let b = m.get(at);
    if (!b) m.set(at, (b = { c: { t: at, inferences: 0, errors: 0, latencySum: 0, latencyP50: null, latencyP99: null }, h: new Map() }));
    return b;
  };
  for (const r of counts) {
    const b = slot(r.trigger, toNum(r.t));
    b.c.inferences += toNum(r.n);
    b.c.errors += toNum(r.e);
    b.c.latencySum += toNum(r.s);
  }
  for (const r of histograms) {
    const n = toNum(r.n);
    if (n !== 0) slot(r.trigger, toNum(r.t)).h.set(toNum(r.bucket), n);
  }
  const out: TriggerActivity[] = triggers.map((trigger) => {
    const all = [...(perTrigger.get(trigger)?.values() ?? [])].filter((b) => b.c.inferences > 0).sort((a, b) => a.c.t - b.c.t);
    const total = new Map<number, number>();
    const totals = { inferences: 0, errors: 0, latencySum: 0, latencyP50: null as number | null, latencyP99: null as number | null };
    for (const b of all) {
      const [p50, p99] = histogramQuantiles(b.h, [0.5, 0.99]);
      b.c.latencyP50 = p50 ?? null;
      b.c.latencyP99 = p99 ?? null;
      for (const [k, v] of b.h) total.set(k, (total.get(k) ?? 0) + v);
      totals.inferences += b.c.inferences;
      totals.errors += b.c.errors;
      totals.latencySum += b.c.latencySum;
    }
    const [p50, p99] = histogramQuantiles(total, [0.5, 0.99]);
    totals.latencyP50 = p50 ?? null;
    totals.latencyP99 = p99 ?? null;
    return { trigger, buckets: all.map((b) => b.c), totals };
  });
  const fits = fitRows.slice(0, maxFits).map((r) => ({ trigger: r.trigger, at: toDateOrNull(r.finishedAt)?.getTime() ?? 0, durationMs: toNumOrNull(r.durationMs), status: r.status }));
  return { from, to, bucketMinutes, triggers: out, fits, fitsComplete: fitRows.length <= maxFits };
}
