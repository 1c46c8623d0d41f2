import { describe, expect, it } from "vitest";
import { bucketLabel, fitDurationRows, inferencesPerMinute, latencyRows, minuteTick, timeTicks, totals, type TriggerSeries } from "./prepare";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const M = 60_000;

const series: TriggerSeries[] = [
  {
    trigger: "answer",
    minutes: [
      { minute: new Date(T0), inferences: 3, latencyP50: 4, latencyP99: 9 },
      { minute: new Date(T0 + 2 * M).toISOString(), inferences: 1, latencyP50: 2, latencyP99: 2 },
    ],
    fits: [
      { at: T0 + 30_000, durationMs: 120, status: "succeeded" },
      { at: T0 + 10_000, durationMs: null, status: "running" },
    ],
  },
  { trigger: "index", minutes: [{ minute: T0 + M, inferences: 5, latencyP50: 1, latencyP99: 30 }], fits: [{ at: T0, durationMs: 800 }] },
];

describe("inferencesPerMinute", () => {
  it("fills every minute of the range with zeros per trigger", () => {
    const rows = inferencesPerMinute(series, T0 + 5_000, T0 + 3 * M + 59_000);
    expect(rows.map((r) => r.t)).toEqual([T0, T0 + M, T0 + 2 * M, T0 + 3 * M]);
    expect(rows.map((r) => r.answer)).toEqual([3, 0, 1, 0]);
    expect(rows.map((r) => r.index)).toEqual([0, 5, 0, 0]);
  });
  it("ignores points outside the range", () => {
    expect(inferencesPerMinute(series, T0 + M, T0 + M).map((r) => r.answer)).toEqual([0]);
  });
});

describe("latencyRows", () => {
  it("keys p50/p99 by trigger and sorts by time", () => {
    const rows = latencyRows(series);
    expect(rows).toEqual([
      { t: T0, "answer:p50": 4, "answer:p99": 9 },
      { t: T0 + M, "index:p50": 1, "index:p99": 30 },
      { t: T0 + 2 * M, "answer:p50": 2, "answer:p99": 2 },
    ]);
  });
});

describe("fitDurationRows", () => {
  it("skips unfinished fits and sorts", () => {
    expect(fitDurationRows(series)).toEqual([
      { t: T0, index: 800 },
      { t: T0 + 30_000, answer: 120 },
    ]);
  });
});

describe("totals / ticks", () => {
  it("sums inferences and finds the worst p99", () => {
    expect(totals(series)).toEqual({ inferences: 9, worstP99: 30 });
    expect(totals([])).toEqual({ inferences: 0, worstP99: null });
  });
  it("formats minute ticks", () => {
    const t = new Date(2026, 0, 1, 9, 5).getTime();
    expect(minuteTick(t, 3600_000)).toBe("09:05");
    expect(minuteTick(t, 3 * 24 * 3600_000)).toMatch(/09:05$/);
  });
});

describe("shared time axis and buckets", () => {
  it("puts round ticks inside the range, the same for every chart, at most six", () => {
    const from = T0 + 7 * M; // 12:07 UTC
    const hour = timeTicks(from, from + 60 * M);
    expect(hour.length).toBeLessThanOrEqual(6);
    expect(hour.every((t) => t >= from && t <= from + 60 * M)).toBe(true);
    expect(hour[1]! - hour[0]!).toBe(10 * M);
    const day = timeTicks(T0, T0 + 24 * 60 * M);
    expect(day[1]! - day[0]!).toBe(360 * M);
    expect(timeTicks(T0, T0)).toEqual([]);
  });

  it("rows follow the bucket size, not the minute", () => {
    const q = 15 * M;
    const s: TriggerSeries[] = [{ trigger: "a", minutes: [{ minute: T0, inferences: 4, latencyP50: 1, latencyP99: 2 }, { minute: T0 + q, inferences: 2, latencyP50: 3, latencyP99: 5 }] }];
    const rows = inferencesPerMinute(s, T0, T0 + 2 * q, q);
    expect(rows.map((r) => [r.t - T0, r.a])).toEqual([[0, 4], [q, 2], [2 * q, 0]]);
    expect(latencyRows(s, q).map((r) => r.t - T0)).toEqual([0, q]);
    expect([1, 5, 15, 60].map(bucketLabel)).toEqual(["minute", "5 min", "15 min", "hour"]);
  });
});
