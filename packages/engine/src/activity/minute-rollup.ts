import { insertRows, type Query } from "@motion/db";
import { latencyBucket } from "../outcomes/latency-histogram.ts";

// Per (trigger, minute) activity: inference count, errors, latency sum and a latency histogram
// (VersionLatency's buckets). Written with the inferences it counts, in their transaction, as
// one upsert per key: the console reads a few rows per minute instead of every inference.

export const MINUTE_MS = 60_000;

/** What a rollup needs of one inference. */
export interface MinuteSample {
  trigger: string;
  createdAt: Date | number;
  latencyMs: number;
  error: string | null;
}

export interface MinuteDelta {
  trigger: string;
  /** Start of the minute, epoch ms. */
  minute: number;
  inferences: number;
  errors: number;
  latencySum: number;
}

export interface MinuteLatencyDelta {
  trigger: string;
  minute: number;
  bucket: number;
  count: number;
}

export interface MinuteRollup {
  minutes: MinuteDelta[];
  latencies: MinuteLatencyDelta[];
}

export function minuteOf(at: Date | number): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

const sep = "\u0000";

/**
 * Inferences folded into one delta per (trigger, minute) and one count per latency bucket;
 * `sign` -1 subtracts (deleted inferences). Sorted by key, so concurrent writers lock rows in
 * one order and cannot deadlock.
 */
export function rollUpMinutes(samples: readonly MinuteSample[], sign: 1 | -1 = 1): MinuteRollup {
  const minutes = new Map<string, MinuteDelta>();
  const latencies = new Map<string, Map<number, MinuteLatencyDelta>>();
  // Runs of one key (a batch shares its trigger and instant): looked up when the key changes.
  let m: MinuteDelta | undefined;
  let buckets: Map<number, MinuteLatencyDelta> | undefined;
  for (const s of samples) {
    const minute = minuteOf(s.createdAt);
    if (!m || s.trigger !== m.trigger || minute !== m.minute) {
      const key = s.trigger + sep + minute;
      m = minutes.get(key);
      if (!m) minutes.set(key, (m = { trigger: s.trigger, minute, inferences: 0, errors: 0, latencySum: 0 }));
      buckets = latencies.get(key);
      if (!buckets) latencies.set(key, (buckets = new Map()));
    }
    m.inferences += sign;
    if (s.error !== null) m.errors += sign;
    m.latencySum += sign * s.latencyMs;
    const bucket = latencyBucket(s.latencyMs);
    const l = buckets!.get(bucket);
    if (l) l.count += sign;
    else buckets!.set(bucket, { trigger: s.trigger, minute, bucket, count: sign });
  }
  const byKey = (a: { trigger: string; minute: number }, b: typeof a) => (a.trigger < b.trigger ? -1 : a.trigger > b.trigger ? 1 : a.minute - b.minute);
  const all: MinuteLatencyDelta[] = [];
  for (const perKey of latencies.values()) for (const l of perKey.values()) all.push(l);
  return {
    minutes: [...minutes.values()].sort(byKey),
    latencies: all.sort((a, b) => byKey(a, b) || a.bucket - b.bucket),
  };
}


/** Adds a rollup to the per-minute totals, in the caller's transaction. */
export function* addMinutes(rollup: MinuteRollup, shard: number): Query<void> {
  yield* insertRows("InferenceMinute", ["trigger", "minute", "shard", "inferences", "errors", "latencySum"], rollup.minutes.map((m) => [m.trigger, new Date(m.minute), shard, m.inferences, m.errors, m.latencySum]), {
    on: ["trigger", "minute", "shard"],
    add: ["inferences", "errors", "latencySum"],
  });
  yield* insertRows("InferenceMinuteLatency", ["trigger", "minute", "bucket", "shard", "count"], rollup.latencies.map((l) => [l.trigger, new Date(l.minute), l.bucket, shard, l.count]), {
    on: ["trigger", "minute", "bucket", "shard"],
    add: ["count"],
  });
}
