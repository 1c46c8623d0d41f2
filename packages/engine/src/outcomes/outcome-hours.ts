// Outcomes over time: VersionOutcome's figures per (trigger, version, UTC hour, params hash),
// with a latency histogram in VersionLatency's buckets. Written in the transactions that write
// VersionOutcome (ingest, labels), so reading a range costs rows per hour, never per inference.
// A label counts in the hour of the inference it labels (not the hour it was given): a bucket's
// good-rate is the quality of what was served then, and it can still move as labels arrive.
import { insertRows, selectAll, sql, storage, type Provider, type Query } from "@motion/db";
import { latencyBucket } from "./latency-histogram.ts";
import { COUNTS, figuresOf, type OutcomeFigures, type OutcomeTotals } from "./outcome-read.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Ranges up to this long are read in hours, longer ones in UTC days. */
export const HOURLY_RANGE_MS = 7 * DAY_MS;
/** The longest range `outcomesOverTime` reads. */
export const MAX_OVER_TIME_RANGE_MS = 400 * DAY_MS;

export function hourOf(at: Date | number): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** What a rollup needs of one inference. */
export interface HourSample {
  trigger: string;
  stateVersion: number;
  paramsHash: string;
  createdAt: Date | number;
  latencyMs: number;
  error: string | null;
  cached: boolean;
}

export interface HourDelta {
  trigger: string;
  stateVersion: number;
  /** Start of the hour, epoch ms. */
  hour: number;
  paramsHash: string;
  inferences: number;
  errors: number;
  cached: number;
  latencySum: number;
  good: number;
  bad: number;
  corrected: number;
}

export interface HourLatencyDelta {
  trigger: string;
  stateVersion: number;
  hour: number;
  paramsHash: string;
  bucket: number;
  count: number;
}

export interface HourRollup {
  hours: HourDelta[];
  latencies: HourLatencyDelta[];
}

const sep = "\u0000";
type Keyed = { trigger: string; stateVersion: number; hour: number; paramsHash: string };
const byKey = (a: Keyed, b: Keyed) =>
  a.trigger < b.trigger ? -1 : a.trigger > b.trigger ? 1 : a.stateVersion - b.stateVersion || a.hour - b.hour || (a.paramsHash < b.paramsHash ? -1 : a.paramsHash > b.paramsHash ? 1 : 0);

export const emptyHour = (k: Keyed): HourDelta => ({ ...k, inferences: 0, errors: 0, cached: 0, latencySum: 0, good: 0, bad: 0, corrected: 0 });

/**
 * Inferences folded into one delta per (trigger, version, hour, params hash) and one count per
 * latency bucket; `sign` -1 subtracts (deleted inferences). Sorted in primary-key order, so
 * concurrent writers lock rows in one order and cannot deadlock.
 */
export function rollUpHours(samples: readonly HourSample[], sign: 1 | -1 = 1): HourRollup {
  const hours = new Map<string, HourDelta>();
  const latencies = new Map<string, Map<number, HourLatencyDelta>>();
  // Runs of one key (a route's batch shares trigger, version, hour and params): looked up when the key changes.
  let h: HourDelta | undefined;
  let buckets: Map<number, HourLatencyDelta> | undefined;
  for (const s of samples) {
    const hour = hourOf(s.createdAt);
    if (!h || s.trigger !== h.trigger || s.stateVersion !== h.stateVersion || hour !== h.hour || s.paramsHash !== h.paramsHash) {
      const k = { trigger: s.trigger, stateVersion: s.stateVersion, hour, paramsHash: s.paramsHash };
      const key = k.trigger + sep + k.stateVersion + sep + k.hour + sep + k.paramsHash;
      h = hours.get(key);
      if (!h) hours.set(key, (h = emptyHour(k)));
      buckets = latencies.get(key);
      if (!buckets) latencies.set(key, (buckets = new Map()));
    }
    h.inferences += sign;
    if (s.error !== null) h.errors += sign;
    if (s.cached) h.cached += sign;
    h.latencySum += sign * s.latencyMs;
    const bucket = latencyBucket(s.latencyMs);
    const l = buckets!.get(bucket);
    if (l) l.count += sign;
    else buckets!.set(bucket, { trigger: h.trigger, stateVersion: h.stateVersion, hour: h.hour, paramsHash: h.paramsHash, bucket, count: sign });
  }
  const all: HourLatencyDelta[] = [];
  for (const perKey of latencies.values()) for (const l of perKey.values()) all.push(l);
  return {
    hours: [...hours.values()].sort(byKey),
    latencies: all.sort((a, b) => byKey(a, b) || a.bucket - b.bucket),
  };
}

/** Label deltas (one per inference whose latest label moved) merged per key, sorted. */
export function labelHours(deltas: readonly (Keyed & { good: number; bad: number; corrected: number })[]): HourRollup {
  const hours = new Map<string, HourDelta>();
  for (const d of deltas) {
    if (d.good === 0 && d.bad === 0 && d.corrected === 0) continue;
    const key = d.trigger + sep + d.stateVersion + sep + d.hour + sep + d.paramsHash;
    let h = hours.get(key);
    if (!h) hours.set(key, (h = emptyHour(d)));
    h.good += d.good;
    h.bad += d.bad;
    h.corrected += d.corrected;
  }
  return { hours: [...hours.values()].sort(byKey), latencies: [] };
}

/** Two rollups as one, still in primary-key order (one locking order for the whole transaction). */
export function mergeHours(a: HourRollup, b: HourRollup): HourRollup {
  const hours = new Map<string, HourDelta>();
  for (const h of [...a.hours, ...b.hours]) {
    const key = h.trigger + sep + h.stateVersion + sep + h.hour + sep + h.paramsHash;
    const into = hours.get(key);
    if (!into) {
      hours.set(key, { ...h });
      continue;
    }
    into.inferences += h.inferences;
    into.errors += h.errors;
    into.cached += h.cached;
    into.latencySum += h.latencySum;
    into.good += h.good;
    into.bad += h.bad;
    into.corrected += h.corrected;
  }
  return {
    hours: [...hours.values()].sort(byKey),
    latencies: [...a.latencies, ...b.latencies].sort((x, y) => byKey(x, y) || x.bucket - y.bucket),
  };
}

const HOUR_KEY = ["trigger", "stateVersion", "hour", "paramsHash", "shard"] as const;
const LATENCY_KEY = ["trigger", "stateVersion", "hour", "paramsHash", "bucket", "shard"] as const;

/** Adds a rollup to the hourly totals, in the caller's transaction. */
export function* addHours(rollup: HourRollup, shard: number): Query<void> {
  yield* insertRows("VersionHour", [...HOUR_KEY, ...COUNTS], rollup.hours.map((h) => [
    h.trigger, h.stateVersion, new Date(h.hour), h.paramsHash, shard, h.inferences, h.errors, h.cached, h.latencySum, h.good, h.bad, h.corrected,
  ]), { on: HOUR_KEY, add: COUNTS });
  yield* insertRows("VersionHourLatency", [...LATENCY_KEY, "count"], rollup.latencies.map((l) => [l.trigger, l.stateVersion, new Date(l.hour), l.paramsHash, l.bucket, shard, l.count]), { on: LATENCY_KEY, add: ["count"] });
}

// ---- reading ----

/** One bucket of one series: the figures of the inferences stored in it and their latest labels. */
export interface OutcomeTimePoint extends OutcomeFigures {
  /** Start of the bucket, epoch ms (UTC). */
  t: number;
}

export interface OutcomeSeries {
  /** The version this series is (versions mode), or the version the params hashes were filtered on (null: every version). */
  version: number | null;
  /** The params hash this series is (paramsHashes mode); null when it sums every params hash of a version. */
  paramsHash: string | null;
  /** Buckets with inferences or labels only, oldest first. */
  points: OutcomeTimePoint[];
}

export interface OutcomesOverTime {
  trigger: string;
  /** The range read, widened to whole buckets: [from, to). */
  from: Date;
  to: Date;
  bucket: "hour" | "day";
  bucketMs: number;
  series: OutcomeSeries[];
}

export type OverTimeSelection = { kind: "versions"; versions: readonly number[] } | { kind: "params"; paramsHashes: readonly string[]; version: number | null };

/**
 * The bucket of a range: hours up to 7 days, UTC days beyond — and days for a range that starts
 * before `hourlySince` (hours of older days are folded into their day by the retention pass).
 */
export function overTimeBucket(from: Date, to: Date, hourlySince?: Date): { bucket: "hour" | "day"; bucketMs: number; from: Date; to: Date } {
  const hourly = to.getTime() - from.getTime() <= HOURLY_RANGE_MS && (!hourlySince || from.getTime() >= hourlySince.getTime());
  const size = hourly ? HOUR_MS : DAY_MS;
  return {
    bucket: hourly ? "hour" : "day",
    bucketMs: size,
    from: new Date(Math.floor(from.getTime() / size) * size),
    to: new Date(Math.ceil(to.getTime() / size) * size),
  };
}

/** The start of the `size`-ms bucket an hour falls in (a literal size, so GROUP BY matches the select). */
function bucketExpr(provider: Provider, size: number) {
  const n = sql.lit(size);
  return provider === "sqlite" ? sql<number>`((${sql.ref("hour")} / ${n}) * ${n})` : sql<number>`(floor(extract(epoch from ${sql.ref("hour")}) * 1000 / ${n}) * ${n})::bigint`;
}

const zero = (): OutcomeTotals => ({ inferences: 0, errors: 0, cached: 0, latencySum: 0, good: 0, bad: 0, corrected: 0, buckets: new Map() });

/**
 * The series of the selection over [from, to) (already widened to whole buckets of `bucketMs`).
 * Cost: rows per (hour, params hash, shard) of the selected versions in the range, plus their
 * latency buckets; the grouping by bucket happens in the database.
 */
export function* readOutcomesOverTime(provider: Provider, trigger: string, selection: OverTimeSelection, range: { from: Date; to: Date; bucketMs: number }): Query<OutcomeSeries[]> {
  const t = bucketExpr(provider, range.bucketMs);
  const keys = selection.kind === "versions" ? [...new Set(selection.versions)].map(String) : [...new Set(selection.paramsHashes)];
  if (!keys.length) return [];
  const group = selection.kind === "versions" ? "stateVersion" : "paramsHash";
  const keyOf = (r: { stateVersion?: unknown; paramsHash?: unknown }) => (selection.kind === "versions" ? String(Number(r.stateVersion)) : (r.paramsHash as string));
  const selected = (table: "VersionHour" | "VersionHourLatency") => {
    let q = storage.selectFrom(table).where("trigger", "=", trigger);
    if (selection.kind === "versions") q = q.where("stateVersion", "in", [...new Set(selection.versions)]);
    else {
      if (selection.version !== null) q = q.where("stateVersion", "=", selection.version);
      q = q.where("paramsHash", "in", keys);
    }
    return q.where("hour", ">=", range.from).where("hour", "<", range.to);
  };
  const sums = yield* selectAll(
    selected("VersionHour").select((eb) => [group, t.as("t"), ...COUNTS.map((c) => eb.fn.sum(eb.ref(`VersionHour.${c}`)).as(c))]).groupBy([group, t]),
  );
  const hist = yield* selectAll(
    selected("VersionHourLatency").select((eb) => [group, t.as("t"), "bucket", eb.fn.sum(eb.ref("VersionHourLatency.count")).as("n")]).groupBy([group, t, "bucket"]),
  );
  const bySeries = new Map<string, Map<number, OutcomeTotals>>(keys.map((k) => [k, new Map()]));
  const slot = (r: { t: unknown; stateVersion?: unknown; paramsHash?: unknown }) => {
    const m = bySeries.get(keyOf(r))!;
    const at = Number(r.t);
    let b = m.get(at);
    if (!b) m.set(at, (b = zero()));
    return b;
  };
  for (const r of sums) {
    const b = slot(r);
    b.inferences += Number(r.inferences);
    b.errors += Number(r.errors);
    b.cached += Number(r.cached);
    b.latencySum += Number(r.latencySum);
    b.good += Number(r.good);
    b.bad += Number(r.bad);
    b.corrected += Number(r.corrected);
  }
  for (const r of hist) {
    const n = Number(r.n);
    if (n > 0) slot(r).buckets.set(Number(r.bucket), n);
  }
  return keys.map((k) => ({
    version: selection.kind === "versions" ? Number(k) : selection.version,
    paramsHash: selection.kind === "params" ? k : null,
    points: [...bySeries.get(k)!.entries()]
      .filter(([, b]) => b.inferences > 0 || b.good + b.bad > 0)
      .sort((x, y) => x[0] - y[0])
      .map(([at, b]) => ({ t: at, ...figuresOf(b) })),
  }));
}
