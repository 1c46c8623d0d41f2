import { describe, expect, it } from "vitest";
import { bucketLabel, overTimeRows, parseOverTimeRange } from "./over-time";

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 0);
const point = (t: number, inferences: number, good: number, labeled: number, p99: number | null = 5) => ({
  t, inferences, latencyMs: p99 === null ? null : { mean: p99 / 2, p99 },
  feedback: { labeled, goodRate: labeled ? good / labeled : null, interval: labeled ? { low: 0.1, high: 0.9 } : null },
});

describe("compare over time", () => {
  it("lays both sides on every bucket of the range, idle buckets at 0 inferences and no rate", () => {
    const chart = overTimeRows([point(T0 + H, 10, 3, 4)], [point(T0, 2, 0, 0, null), point(T0 + 2 * H, 7, 1, 1)], { from: T0, to: T0 + 3 * H, bucketMs: H });
    expect(chart.rows).toEqual([
      { t: T0, aInferences: 0, bInferences: 2, aGoodRate: null, bGoodRate: null, aBand: null, bBand: null, aP99: null, bP99: null },
      { t: T0 + H, aInferences: 10, bInferences: 0, aGoodRate: 0.75, bGoodRate: null, aBand: [0.1, 0.9], bBand: null, aP99: 5, bP99: null },
      { t: T0 + 2 * H, aInferences: 0, bInferences: 7, aGoodRate: null, bGoodRate: 1, aBand: null, bBand: [0.1, 0.9], aP99: null, bP99: 5 },
    ]);
    expect(chart.points).toEqual({ a: 1, b: 2 });
    expect(chart.rated).toEqual({ a: 1, b: 1 });
    expect(chart.empty).toBe(false);
  });

  it("is empty with no points in range, and drops points off the range or grid", () => {
    const chart = overTimeRows([point(T0 - H, 1, 0, 0), point(T0 + 30 * 60_000, 1, 0, 0)], [point(T0 + 3 * H, 1, 0, 0)], { from: T0, to: T0 + 3 * H, bucketMs: H });
    expect(chart.rows).toHaveLength(3);
    expect(chart.empty).toBe(true);
    expect(chart.points).toEqual({ a: 0, b: 0 });
    expect(overTimeRows([], [], { from: T0, to: T0, bucketMs: H }).rows).toEqual([]);
  });

  it("keeps the newest buckets when the range has more than the cap", () => {
    const chart = overTimeRows([point(T0 + 9 * H, 4, 0, 0)], [], { from: T0, to: T0 + 10 * H, bucketMs: H }, 4);
    expect(chart.rows.map((r) => r.t)).toEqual([T0 + 6 * H, T0 + 7 * H, T0 + 8 * H, T0 + 9 * H]);
    expect(chart.points.a).toBe(1);
  });

  it("labels buckets and reads the range from the URL", () => {
    expect(bucketLabel(T0 + 13 * H, "hour")).toBe("12-01 13:00");
    expect(bucketLabel(T0, "day")).toBe("2026-12-01");
    expect(parseOverTimeRange("30d")).toBe("30d");
    expect(parseOverTimeRange("1y")).toBe("7d");
    expect(parseOverTimeRange(null)).toBe("7d");
  });
});
