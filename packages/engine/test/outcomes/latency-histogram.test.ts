import { describe, expect, it } from "vitest";
import { bucketValue, histogramQuantile, latencyBucket } from "../../src/index.ts";

const GAMMA = 1.02 / 0.98;

describe("latency histogram", () => {
  it("puts a latency in bucket ceil(log_γ x) and reports 2γ^k/(γ+1), within 2%", () => {
    // log_γ 1 = 0; log_γ 10 = ln 10 / ln γ = 2.302585 / 0.0400053 = 57.557 → 58.
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(10)).toBe(58);
    expect(bucketValue(0)).toBeCloseTo(2 / (GAMMA + 1), 12);
    expect(bucketValue(0)).toBeCloseTo(0.98, 12);
    for (const x of [0.0003, 0.05, 1, 3.7, 10, 250, 12_345]) {
      expect(Math.abs(bucketValue(latencyBucket(x)) - x) / x).toBeLessThanOrEqual(0.02 + 1e-12);
    }
  });

  it("counts zero, negative and non-finite latencies at the floor", () => {
    expect(latencyBucket(0)).toBe(latencyBucket(0.0001));
    expect(latencyBucket(-1)).toBe(latencyBucket(0.0001));
    expect(latencyBucket(Number.NaN)).toBe(latencyBucket(0.0001));
  });

  it("reads quantiles by lower rank: floor(q·(n−1))", () => {
    // 10 latencies: 9 of 1 ms, 1 of 10 ms. p50 → rank 4 → 1 ms bucket; p99 → rank floor(8.91) = 8
    // → still 1 ms; p100 → rank 9 → the 10 ms bucket.
    const counts = new Map([[latencyBucket(1), 9], [latencyBucket(10), 1]]);
    expect(histogramQuantile(counts, 0.5)).toBeCloseTo(0.98, 12);
    expect(histogramQuantile(counts, 0.99)).toBeCloseTo(0.98, 12);
    expect(histogramQuantile(counts, 1)).toBeCloseTo(bucketValue(58), 12);
    // 100 latencies 1..100 ms: p50 → the 50th smallest (rank 49 → 50 ms), p99 → rank 98 → 99 ms.
    const spread = new Map<number, number>();
    for (let ms = 1; ms <= 100; ms++) spread.set(latencyBucket(ms), (spread.get(latencyBucket(ms)) ?? 0) + 1);
    expect(histogramQuantile(spread, 0.5)! / 50).toBeCloseTo(1, 1);
    expect(Math.abs(histogramQuantile(spread, 0.99)! - 99) / 99).toBeLessThanOrEqual(0.02);
  });

  it("is null when empty and refuses q outside [0, 1]", () => {
    expect(histogramQuantile(new Map(), 0.5)).toBeNull();
    expect(() => histogramQuantile(new Map([[0, 1]]), 1.5)).toThrow(RangeError);
  });
});
