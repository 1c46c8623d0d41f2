import { describe, expect, it } from "vitest";
import { decide, inCanary, normalQuantile, routingPoint } from "../../src/index.ts";

const rule = { name: "quality", minLabels: 20, confidence: 0.95 };

describe("guarded promotion test", () => {
  it("uses the one-sided normal quantile of the confidence", () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536, 6);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263479, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
  });

  it("waits below minLabels on either side", () => {
    expect(decide(rule, { good: 19, bad: 0 }, { good: 100, bad: 0 }).action).toBe("wait");
    expect(decide(rule, { good: 100, bad: 0 }, { good: 10, bad: 9 }).action).toBe("wait");
  });

  it("promotes when not significantly worse, aborts when it is (hand-computed z)", () => {
    // 15/20 vs 18/20: pooled 33/40 = 0.825, se = sqrt(0.825·0.175·(1/20+1/20)) = 0.120156,
    // z = (0.75 − 0.90) / 0.120156 = −1.2484 > −1.6449 → promote.
    const promote = decide(rule, { good: 15, bad: 5 }, { good: 18, bad: 2 });
    expect(promote.action).toBe("promote");
    expect(promote.z).toBeCloseTo(-1.2484, 4);
    // 10/20 vs 18/20: pooled 0.7, se = sqrt(0.7·0.3·0.1) = 0.144914, z = −0.4 / 0.144914 = −2.7603 → abort.
    const abort = decide(rule, { good: 10, bad: 10 }, { good: 18, bad: 2 });
    expect(abort.action).toBe("abort");
    expect(abort.z).toBeCloseTo(-2.7603, 4);
    // All good on both sides: no variance, no difference → promote.
    expect(decide(rule, { good: 20, bad: 0 }, { good: 20, bad: 0 })).toMatchObject({ action: "promote", z: 0 });
  });
});

describe("canary routing", () => {
  it("is stable per key and within ±3% of the share over 10k keys", () => {
    for (const share of [0.05, 0.3, 0.5]) {
      let inside = 0;
      for (let i = 0; i < 10_000; i++) if (inCanary("ranker", `user-${i}`, share)) inside++;
      expect(Math.abs(inside / 10_000 - share)).toBeLessThanOrEqual(0.03);
    }
    expect(routingPoint("ranker", "user-7")).toBe(routingPoint("ranker", "user-7"));
    expect(inCanary("ranker", "x", 0)).toBe(false);
    expect(inCanary("ranker", "x", 1)).toBe(true);
  });
});
