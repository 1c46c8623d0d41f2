// Folding old hourly outcomes into days. VersionHour and VersionHourLatency grow with time, not
// data: a row per (trigger, version, hour, params hash, shard) — and per latency bucket — for
// every hour a version served, 8 shards on PostgreSQL: tens of thousands of rows a day for one
// busy trigger. Past the bookkeeping window (`retention.bookkeepingDays`) the Compare charts
// read those days in day buckets anyway (outcomesOverTime), so the retention pass folds each
// whole UTC day of a key into one row at the day's start in shard 0: totals, labels and the
// latency histogram stay exact, the hours within the day are gone.
//
// Rows to fold are found off the answering thread (readLong: the reader thread on SQLite),
// walking the primary key from where the previous batch stopped;
// each batch then deletes exactly those rows with RETURNING (so a count added to one since it
// was found is folded too, never lost) and adds the sums to the day rows in one transaction.
// Labels or deletions that touch a folded day later write hour rows again; the next pass folds
// them.
import { insertRows, prepare, selectAll, sql, storage, type Database, type Provider, type Query } from "@motion/db";
import type { BookkeepingOptions } from "../bookkeeping-gc.ts";
import { COUNTS } from "./outcome-read.ts";
import { DAY_MS } from "./outcome-hours.ts";

export interface CompactionReport {
  /** VersionHour rows folded into their day. */
  hours: number;
  /** VersionHourLatency rows folded into their day. */
  latencies: number;
  batches: number;
}

/** The bookkeeping pass's options: days that end at or before `before` (floored to a UTC day) are folded. */
export type CompactionOptions = BookkeepingOptions;

/** The first instant whose hours stay hourly: `before` floored to the UTC day. */
export function compactedBefore(before: Date | number): Date {
  const ms = typeof before === "number" ? before : before.getTime();
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS);
}

/** A row that is not yet its day's row: another shard, or an hour after the day's first. */
function notFolded(provider: Provider) {
  return provider === "sqlite"
    ? sql<boolean>`(${sql.ref("shard")} <> 0 OR ${sql.ref("hour")} % ${sql.lit(DAY_MS)} <> 0)`
    : sql<boolean>`(${sql.ref("shard")} <> 0 OR ${sql.ref("hour")} <> date_trunc('day', ${sql.ref("hour")}))`;
}

/**
 * Past the last key of the previous batch, in primary-key order: a pass walks the key index
 * once instead of rescanning the day rows already folded (which stay, ahead of nothing: a day
 * row sorts before the hour rows it was folded from).
 */
function after(columns: readonly string[], cursor: readonly unknown[] | null) {
  if (!cursor) return sql<boolean>`1 = 1`;
  return sql<boolean>`(${sql.join(columns.map((c) => sql.ref(c)))}) > (${sql.join(cursor.map((v) => sql`${v}`))})`;
}

const HOUR_PK = ["trigger", "stateVersion", "hour", "paramsHash", "shard"] as const;
const LATENCY_PK = ["trigger", "stateVersion", "hour", "paramsHash", "bucket", "shard"] as const;

const hourCandidates = (provider: Provider, before: Date, limit: number, cursor: readonly unknown[] | null) =>
  storage.selectFrom("VersionHour").select([...HOUR_PK])
    .where(after(HOUR_PK, cursor)).where("hour", "<", before).where(notFolded(provider))
    .orderBy("trigger").orderBy("stateVersion").orderBy("hour").orderBy("paramsHash").orderBy("shard").limit(limit);

const latencyCandidates = (provider: Provider, before: Date, limit: number, cursor: readonly unknown[] | null) =>
  storage.selectFrom("VersionHourLatency").select([...LATENCY_PK])
    .where(after(LATENCY_PK, cursor)).where("hour", "<", before).where(notFolded(provider))
    .orderBy("trigger").orderBy("stateVersion").orderBy("hour").orderBy("paramsHash").orderBy("bucket").orderBy("shard").limit(limit);

const TAKE_HOUR = prepare((trigger: string, stateVersion: number, hour: unknown, paramsHash: string, shard: number) =>
  storage.deleteFrom("VersionHour")
    .where("trigger", "=", trigger).where("stateVersion", "=", stateVersion).where("hour", "=", hour as Date).where("paramsHash", "=", paramsHash).where("shard", "=", shard)
    .returning(["inferences", "errors", "cached", "latencySum", "good", "bad", "corrected"]),
);

const TAKE_LATENCY = prepare((trigger: string, stateVersion: number, hour: unknown, paramsHash: string, bucket: number, shard: number) =>
  storage.deleteFrom("VersionHourLatency")
    .where("trigger", "=", trigger).where("stateVersion", "=", stateVersion).where("hour", "=", hour as Date).where("paramsHash", "=", paramsHash)
    .where("bucket", "=", bucket).where("shard", "=", shard)
    .returning("count"),
);

const timeOf = (hour: unknown) => (hour instanceof Date ? hour.getTime() : typeof hour === "string" ? Date.parse(hour) : Number(hour));
const dayOf = (hour: unknown) => Math.floor(timeOf(hour) / DAY_MS) * DAY_MS;
const keyCompare = (a: readonly unknown[], b: readonly unknown[]) => {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

type HourKey = { trigger: string; stateVersion: number | string; hour: unknown; paramsHash: string; shard: number | string };
type LatencyKey = HourKey & { bucket: number | string };

function* foldHours(found: readonly HourKey[]): Query<number> {
  const days = new Map<string, { key: [string, number, number, string]; sums: number[] }>();
  let folded = 0;
  for (const r of found) {
    const taken = yield* TAKE_HOUR.all(r.trigger, Number(r.stateVersion), r.hour, r.paramsHash, Number(r.shard));
    for (const t of taken) {
      folded++;
      const key: [string, number, number, string] = [r.trigger, Number(r.stateVersion), dayOf(r.hour), r.paramsHash];
      const k = key.join("\u0000");
      let day = days.get(k);
      if (!day) days.set(k, (day = { key, sums: COUNTS.map(() => 0) }));
      for (let i = 0; i < COUNTS.length; i++) day.sums[i]! += Number(t[COUNTS[i]!]);
    }
  }
  // Primary-key order, as every writer of these tables: concurrent upserts lock rows in one order.
  const rows = [...days.values()].sort((a, b) => keyCompare(a.key, b.key));
  yield* insertRows("VersionHour", ["trigger", "stateVersion", "hour", "paramsHash", "shard", ...COUNTS], rows.map(({ key: [t, v, day, p], sums }) => [
    t, v, new Date(day), p, 0, sums[0]!, sums[1]!, sums[2]!, sums[3]!, sums[4]!, sums[5]!, sums[6]!,
  ]), { on: ["trigger", "stateVersion", "hour", "paramsHash", "shard"], add: COUNTS });
  return folded;
}

function* foldLatencies(found: readonly LatencyKey[]): Query<number> {
  const days = new Map<string, { key: [string, number, number, string, number]; count: number }>();
  let folded = 0;
  for (const r of found) {
    const taken = yield* TAKE_LATENCY.all(r.trigger, Number(r.stateVersion), r.hour, r.paramsHash, Number(r.bucket), Number(r.shard));
    for (const t of taken) {
      folded++;
      const key: [string, number, number, string, number] = [r.trigger, Number(r.stateVersion), dayOf(r.hour), r.paramsHash, Number(r.bucket)];
      const k = key.join("\u0000");
      const day = days.get(k);
      if (day) day.count += Number(t.count);
      else days.set(k, { key, count: Number(t.count) });
    }
  }
  const rows = [...days.values()].sort((a, b) => keyCompare(a.key, b.key));
  yield* insertRows("VersionHourLatency", ["trigger", "stateVersion", "hour", "paramsHash", "bucket", "shard", "count"], rows.map(({ key: [t, v, day, p, b], count }) => [t, v, new Date(day), p, b, 0, count]), {
    on: ["trigger", "stateVersion", "hour", "paramsHash", "bucket", "shard"], add: ["count"],
  });
  return folded;
}

/** Folds the hourly outcome rows of whole UTC days before `options.before` into day rows. */
export async function compactOutcomeHours(db: Database, options: CompactionOptions): Promise<CompactionReport> {
  const batchSize = options.batchSize ?? 500;
  const pause = options.pause ?? (() => new Promise((resolve) => setImmediate(resolve)));
  const before = compactedBefore(options.before);
  const provider = db.provider;
  const report: CompactionReport = { hours: 0, latencies: 0, batches: 0 };
  const loop = async <K extends Record<string, unknown>>(pk: readonly string[], find: (cursor: unknown[] | null) => Promise<K[]>, fold: (found: K[]) => Query<number>): Promise<number> => {
    let total = 0;
    let cursor: unknown[] | null = null;
    for (;;) {
      if (options.stopped?.()) return total;
      const found = await find(cursor);
      if (found.length) cursor = pk.map((c) => found[found.length - 1]![c]);
      if (found.length === 0) return total;
      const folded = await db.tx(() => fold(found));
      total += folded;
      report.batches++;
      // Rows found but gone when the batch ran (another process folded them): look again
      // once; rows that cannot be taken must never keep the pass going round.
      if (folded === 0) return total;
      if (found.length < batchSize) return total;
      await pause();
    }
  };
  // Deleted in primary-key order, like every other writer of these tables.
  const hourPk = (r: HourKey) => [r.trigger, Number(r.stateVersion), timeOf(r.hour), r.paramsHash, Number(r.shard)];
  const latencyPk = (r: LatencyKey) => [r.trigger, Number(r.stateVersion), timeOf(r.hour), r.paramsHash, Number(r.bucket), Number(r.shard)];
  report.hours = await loop(
    HOUR_PK,
    (cursor) => db.readLong(() => selectAll(hourCandidates(provider, before, batchSize, cursor))) as Promise<HourKey[]>,
    (found) => foldHours([...found].sort((a, b) => keyCompare(hourPk(a), hourPk(b)))),
  );
  report.latencies = await loop(
    LATENCY_PK,
    (cursor) => db.readLong(() => selectAll(latencyCandidates(provider, before, batchSize, cursor))) as Promise<LatencyKey[]>,
    (found) => foldLatencies([...found].sort((a, b) => keyCompare(latencyPk(a), latencyPk(b)))),
  );
  return report;
}
