import { describe, expect, it } from "vitest";
import { defaultPick, parseComparePick, qualitySeries, verdict } from "./compare";

const outcome = (version: number, good: number, labeled: number, interval: [number, number] | null, p99: number | null = 2) => ({
  version, inferences: 100, latencyMs: p99 === null ? null : { p99 },
  feedback: { labeled, goodRate: labeled ? good / labeled : null, interval: interval ? { low: interval[0], high: interval[1] } : null },
});

describe("compare page", () => {
  it("reads the two versions from the URL, ignoring what is not a version", () => {
    expect(parseComparePick(new URLSearchParams("a=3&b=v7"))).toEqual({ a: 3, b: 7 });
    expect(parseComparePick({ a: "-1", b: "x" })).toEqual({ a: null, b: null });
  });

  it("defaults to active vs the newest other version", () => {
    expect(defaultPick({ a: null, b: null }, 4, [1, 2, 3, 4, 5])).toEqual({ a: 4, b: 5 });
    expect(defaultPick({ a: null, b: null }, 5, [5, 4, 3])).toEqual({ a: 5, b: 4 });
    expect(defaultPick({ a: 2, b: null }, 5, [5, 4, 2])).toEqual({ a: 2, b: 5 });
    expect(defaultPick({ a: null, b: null }, 0, [0])).toBeNull();
    // The newest other version with labels is preferred over a newer unlabeled one.
    expect(defaultPick({ a: null, b: null }, 6, [6, 5, 4, 3], new Set([3, 6]))).toEqual({ a: 6, b: 3 });
    expect(defaultPick({ a: null, b: null }, 6, [6, 5, 4], new Set([6]))).toEqual({ a: 6, b: 5 });
    expect(defaultPick({ a: null, b: 4 }, 6, [6, 5, 4, 3], new Set([3]))).toEqual({ a: 6, b: 4 });
  });

  it("orders the quality series by version with the Wilson band", () => {
    expect(qualitySeries([outcome(2, 9, 10, [0.6, 0.98]), outcome(1, 0, 0, null, null)])).toEqual([
      { version: 1, goodRate: null, band: null, labeled: 0, inferences: 100, p99: null },
      { version: 2, goodRate: 0.9, band: [0.6, 0.98], labeled: 10, inferences: 100, p99: 2 },
    ]);
  });

  it("calls a difference only when the intervals do not overlap", () => {
    expect(verdict(outcome(1, 2, 10, [0.05, 0.5]), outcome(2, 9, 10, [0.6, 0.98]))).toBe("better");
    expect(verdict(outcome(1, 9, 10, [0.6, 0.98]), outcome(2, 2, 10, [0.05, 0.5]))).toBe("worse");
    expect(verdict(outcome(1, 5, 10, [0.2, 0.8]), outcome(2, 6, 10, [0.3, 0.85]))).toBe("unclear");
    expect(verdict(outcome(1, 0, 0, null), outcome(2, 6, 10, [0.3, 0.85]))).toBe("no-labels");
  });
});
