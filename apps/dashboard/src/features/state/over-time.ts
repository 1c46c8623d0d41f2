// The Compare page's charts over time, pure: two sides' series (versions or params variants)
// from `state.outcomesOverTime` laid on one shared time axis — every bucket of the range, so
// both sides line up and an idle bucket reads as 0 inferences (and no good-rate, no latency).

export type OverTimeRange = "24h" | "7d" | "30d";

export const OVER_TIME_RANGES: { value: OverTimeRange; label: string; ms: number }[] = [
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
];

export function parseOverTimeRange(text: string | null | undefined): OverTimeRange {
  return OVER_TIME_RANGES.some((r) => r.value === text) ? (text as OverTimeRange) : "7d";
}

/** What the chart needs of one bucket of one side. */
export interface PointLike {
  t: number;
  inferences: number;
  latencyMs: { mean: number; p99: number } | null;
  feedback: { labeled: number; goodRate: number | null; interval: { low: number; high: number } | null };
}

export interface OverTimeRow {
  /** Bucket start, epoch ms. */
  t: number;
  aInferences: number;
  bInferences: number;
  aGoodRate: number | null;
  bGoodRate: number | null;
  /** [low, high] of the Wilson 95% interval; null without labels in the bucket. */
  aBand: [number, number] | null;
  bBand: [number, number] | null;
  aP99: number | null;
  bP99: number | null;
}

export interface OverTimeChart {
  rows: OverTimeRow[];
  /** Buckets with inferences (or labels) per side: the points the charts draw. */
  points: { a: number; b: number };
  /** Buckets with a good-rate per side. */
  rated: { a: number; b: number };
  empty: boolean;
}

/**
 * One row per bucket of [from, to) (at most `maxBuckets`; the newest kept beyond), each side's
 * figures in it. Points outside the range or off the bucket grid are dropped.
 */
export function overTimeRows(
  a: readonly PointLike[],
  b: readonly PointLike[],
  range: { from: number; to: number; bucketMs: number },
  maxBuckets = 1000,
): OverTimeChart {
  const { bucketMs } = range;
  if (!(bucketMs > 0) || !(range.to > range.from)) return { rows: [], points: { a: 0, b: 0 }, rated: { a: 0, b: 0 }, empty: true };
  const count = Math.min(maxBuckets, Math.ceil((range.to - range.from) / bucketMs));
  const first = range.to - count * bucketMs;
  const rows: OverTimeRow[] = Array.from({ length: count }, (_, i) => ({
    t: first + i * bucketMs, aInferences: 0, bInferences: 0, aGoodRate: null, bGoodRate: null, aBand: null, bBand: null, aP99: null, bP99: null,
  }));
  const points = { a: 0, b: 0 };
  const rated = { a: 0, b: 0 };
  const place = (side: "a" | "b", list: readonly PointLike[]) => {
    for (const p of list) {
      const i = (p.t - first) / bucketMs;
      if (!Number.isInteger(i) || i < 0 || i >= count) continue;
      const row = rows[i]!;
      if (side === "a") {
        row.aInferences = p.inferences;
        row.aGoodRate = p.feedback.goodRate;
        row.aBand = p.feedback.interval ? [p.feedback.interval.low, p.feedback.interval.high] : null;
        row.aP99 = p.latencyMs?.p99 ?? null;
      } else {
        row.bInferences = p.inferences;
        row.bGoodRate = p.feedback.goodRate;
        row.bBand = p.feedback.interval ? [p.feedback.interval.low, p.feedback.interval.high] : null;
        row.bP99 = p.latencyMs?.p99 ?? null;
      }
      if (p.inferences > 0 || p.feedback.labeled > 0) points[side]++;
      if (p.feedback.goodRate !== null) rated[side]++;
    }
  };
  place("a", a);
  place("b", b);
  return { rows, points, rated, empty: points.a === 0 && points.b === 0 };
}

/** Tick text for a bucket start: a time of day for hours, a date for days (UTC, as the buckets). */
export function bucketLabel(t: number, bucket: "hour" | "day"): string {
  const iso = new Date(t).toISOString();
  return bucket === "hour" ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}
