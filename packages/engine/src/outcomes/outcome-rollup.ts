import { insertRows, type InferenceInsert, type Provider, type Query } from "@motion/db";
import { latencyBucket } from "./latency-histogram.ts";

/** Additions to one (trigger, version, params hash)'s running totals; feedback deltas may be negative. */
export interface OutcomeDelta {
  trigger: string;
  stateVersion: number;
  paramsHash: string;
  inferences: number;
  errors: number;
  cached: number;
  latencySum: number;
  good: number;
  bad: number;
  corrected: number;
}

export interface LatencyDelta {
  trigger: string;
  stateVersion: number;
  paramsHash: string;
  bucket: number;
  count: number;
}

export interface Rollup {
  outcomes: OutcomeDelta[];
  latencies: LatencyDelta[];
}

/** Concurrent PostgreSQL writers pick one of this many rows per key, so they rarely wait on each other. */
export const OUTCOME_SHARDS = 8;

export function outcomeShard(provider: Provider): number {
  return provider === "postgresql" ? Math.floor(Math.random() * OUTCOME_SHARDS) : 0;
}

const sep = "\u0000";

/**
 * A batch's inferences folded into one delta per key and one count per latency bucket, each
 * list sorted by key: writers lock rows in one global order, so two batches cannot deadlock.
 */
export function rollUpInferences(inferences: readonly InferenceInsert[]): Rollup {
  const outcomes = new Map<string, OutcomeDelta>();
  const latencies = new Map<string, Map<number, LatencyDelta>>();
  // A batch's inferences come in runs of one key (a route's rows share trigger, version and
  // params): the key is built and looked up when it changes, not for every inference.
  let o: OutcomeDelta | undefined;
  let buckets: Map<number, LatencyDelta> | undefined;
  for (const i of inferences) {
    if (!o || i.trigger !== o.trigger || i.stateVersion !== o.stateVersion || i.paramsHash !== o.paramsHash) {
      const key = i.trigger + sep + i.stateVersion + sep + i.paramsHash;
      o = outcomes.get(key);
      if (!o) {
        o = { trigger: i.trigger, stateVersion: i.stateVersion, paramsHash: i.paramsHash, inferences: 0, errors: 0, cached: 0, latencySum: 0, good: 0, bad: 0, corrected: 0 };
        outcomes.set(key, o);
      }
      buckets = latencies.get(key);
      if (!buckets) latencies.set(key, (buckets = new Map()));
    }
    o.inferences++;
    if (i.error !== null) o.errors++;
    if (i.cached) o.cached++;
    o.latencySum += i.latencyMs;
    const bucket = latencyBucket(i.latencyMs);
    const l = buckets!.get(bucket);
    if (l) l.count++;
    else buckets!.set(bucket, { trigger: i.trigger, stateVersion: i.stateVersion, paramsHash: i.paramsHash, bucket, count: 1 });
  }
  const byKey = (a: { trigger: string; stateVersion: number; paramsHash: string }, b: typeof a) =>
    a.trigger < b.trigger ? -1 : a.trigger > b.trigger ? 1 : a.stateVersion - b.stateVersion || (a.paramsHash < b.paramsHash ? -1 : a.paramsHash > b.paramsHash ? 1 : 0);
  const all: LatencyDelta[] = [];
  for (const perKey of latencies.values()) for (const l of perKey.values()) all.push(l);
  return {
    outcomes: [...outcomes.values()].sort(byKey),
    latencies: all.sort((a, b) => byKey(a, b) || a.bucket - b.bucket),
  };
}

const COUNTS = ["inferences", "errors", "cached", "latencySum", "good", "bad", "corrected"] as const;
const OUTCOME_KEY = ["trigger", "stateVersion", "paramsHash", "shard"] as const;
const LATENCY_KEY = ["trigger", "stateVersion", "paramsHash", "bucket", "shard"] as const;

/** Adds a rollup to the running totals, in the caller's transaction (the one storing the inferences or label). */
export function* addOutcomes(rollup: Rollup, shard: number): Query<void> {
  yield* insertRows("VersionOutcome", [...OUTCOME_KEY, ...COUNTS], rollup.outcomes.map((o) => [
    o.trigger, o.stateVersion, o.paramsHash, shard, o.inferences, o.errors, o.cached, o.latencySum, o.good, o.bad, o.corrected,
  ]), { on: OUTCOME_KEY, add: COUNTS });
  yield* insertRows("VersionLatency", [...LATENCY_KEY, "count"], rollup.latencies.map((l) => [l.trigger, l.stateVersion, l.paramsHash, l.bucket, shard, l.count]), { on: LATENCY_KEY, add: ["count"] });
}

export interface LabelState {
  label: string;
  corrected: boolean;
}

/** How one inference's latest label moving from `before` to `after` changes the counts. */
export function labelDelta(before: LabelState | null, after: LabelState | null): Pick<OutcomeDelta, "good" | "bad" | "corrected"> {
  const count = (s: LabelState | null) => ({ good: s?.label === "good" ? 1 : 0, bad: s?.label === "bad" ? 1 : 0, corrected: s?.corrected ? 1 : 0 });
  const a = count(before);
  const b = count(after);
  return { good: b.good - a.good, bad: b.bad - a.bad, corrected: b.corrected - a.corrected };
}
