// Infer latencies are kept per (trigger, version, params hash) as counts in logarithmic
// buckets (the DDSketch layout): bucket k holds values in (γ^(k-1), γ^k] and reports
// 2γ^k/(γ+1), within 2% of every value in it. Counts add, so batches and shards merge exactly;
// a latency range of 0.0001 ms to 1 hour needs at most ~780 buckets, usually a few dozen.

export const LATENCY_ACCURACY = 0.02;
const GAMMA = (1 + LATENCY_ACCURACY) / (1 - LATENCY_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/** Faster than this counts as this (timer resolution; a cached answer can take "0 ms"). */
export const LATENCY_FLOOR_MS = 0.0001;

/** The bucket of a latency in ms. Keep in step with the backfill in the version_outcomes migration. */
export function latencyBucket(ms: number): number {
  const x = Number.isFinite(ms) && ms > LATENCY_FLOOR_MS ? ms : LATENCY_FLOOR_MS;
  return Math.ceil(Math.log(x) / LN_GAMMA);
}

/** The value a bucket reports. */
export function bucketValue(bucket: number): number {
  return (2 * Math.pow(GAMMA, bucket)) / (GAMMA + 1);
}

/**
 * The latency at quantile q ∈ [0, 1] of a histogram (lower rank: the value of the
 * floor(q·(n−1))-th smallest latency's bucket, as DDSketch); null when empty.
 */
export function histogramQuantile(counts: ReadonlyMap<number, number>, q: number): number | null {
  return histogramQuantiles(counts, [q])[0]!;
}

/** Several quantiles in one pass over the sorted buckets (qs ascending or not). */
export function histogramQuantiles(counts: ReadonlyMap<number, number>, qs: readonly number[]): (number | null)[] {
  for (const q of qs) if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} outside 0..1`);
  let total = 0;
  for (const c of counts.values()) total += c;
  if (total <= 0) return qs.map(() => null);
  const order = qs.map((q, i) => ({ rank: Math.floor(q * (total - 1)), i })).sort((a, b) => a.rank - b.rank);
  const out: (number | null)[] = qs.map(() => null);
  let next = 0;
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket)!;
    while (next < order.length && seen > order[next]!.rank) out[order[next++]!.i] = bucketValue(bucket);
    if (next === order.length) break;
  }
  return out;
}
