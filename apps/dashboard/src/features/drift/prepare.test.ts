import { describe, expect, it } from "vitest";
import { axisLabels, cellTitle, defaultColumn, formatZ, heatColor, heatmapRows, type HeatmapInput } from "./heatmap";
import { flaggedCount, formatTick, niceDomain, seriesRows, yAxis, yDomain } from "./series";
import { allowedDecisions, isOpenFlag, statusInfo } from "./status";
import { findingRows, floorOf, formatStat, statisticsOf } from "./findings";

// Two columns × three partitions, as the engine's heatmapData lays them out (row-major).
const heatmap: HeatmapInput = {
  columns: ["fare", "vendor"],
  partitions: ["2026-01-01", "2026-01-02", "2026-01-03"],
  cells: [
    { column: "fare", partition: "2026-01-01", z: null, statistic: null },
    { column: "fare", partition: "2026-01-02", z: 1.2, statistic: "mean" },
    { column: "fare", partition: "2026-01-03", z: 9.44, statistic: "p50" },
    { column: "vendor", partition: "2026-01-01", z: null, statistic: null },
    { column: "vendor", partition: "2026-01-02", z: 0.4, statistic: "topShare" },
    { column: "vendor", partition: "2026-01-03", z: 2, statistic: "distinct" },
  ],
  max: 9.44,
};

describe("heatmap", () => {
  it("regroups row-major cells into one row per column with peak, colour, title and threshold ring", () => {
    const rows = heatmapRows(heatmap, 7);
    expect(rows.map((r) => r.column)).toEqual(["fare", "vendor"]);
    expect(rows.map((r) => r.peak)).toEqual([9.44, 2]);
    expect(rows[0]!.cells.map((c) => c.partition)).toEqual(heatmap.partitions);
    expect(rows[0]!.cells.map((c) => c.over)).toEqual([false, false, true]);
    expect(rows[0]!.cells[2]!.title).toBe("fare · 2026-01-03: |z| = 9.4 (p50)");
    expect(rows[1]!.cells[0]!.title).toBe("vendor · 2026-01-01: not compared");
    expect(rows[1]!.cells[0]!.color).toBe("var(--muted)");
  });

  it("colours from green through red at the threshold to deepest red at the maximum", () => {
    const hue = (c: string) => Number(c.match(/oklch\(\S+ \S+ (\S+)\)/)![1]);
    const light = (c: string) => Number(c.match(/oklch\((\S+) /)![1]);
    expect(hue(heatColor(0, 7, 50))).toBe(150);
    expect(hue(heatColor(3.5, 7, 50))).toBeCloseTo(87.5);
    expect(hue(heatColor(7, 7, 50))).toBe(25);
    // Beyond the threshold only the lightness falls, on a log scale, reaching its floor at max.
    expect(light(heatColor(7, 7, 50))).toBeGreaterThan(light(heatColor(20, 7, 50)));
    expect(light(heatColor(50, 7, 50))).toBeCloseTo(0.38);
    expect(heatColor(500, 7, 50)).toBe(heatColor(50, 7, 50));
    expect(heatColor(Number.NaN, 7, 50)).toBe("var(--muted)");
    // A degenerate scale (max at the threshold, threshold 0) still yields a colour.
    expect(heatColor(7, 7, 7)).toMatch(/^oklch/);
    expect(heatColor(1, 0, 0)).toMatch(/^oklch/);
  });

  it("formats z and titles", () => {
    expect(formatZ(9.44)).toBe("9.4");
    expect(formatZ(1000)).toBe("1000");
    expect(formatZ(null)).toBe("—");
    expect(cellTitle({ column: "a.b", partition: "2026-W02", z: 0, statistic: null })).toBe("a.b · 2026-W02: |z| = 0.0");
  });

  it("charts first the newest flagged partition's strongest column, else the largest |z|", () => {
    expect(defaultColumn(heatmap, [{ partition: "2026-01-02", columns: [{ column: "vendor" }] }])).toBe("vendor");
    expect(defaultColumn(heatmap, [{ partition: "2026-01-02", columns: [{ column: "vendor" }] }, { partition: "2026-01-03", columns: [] }])).toBe("vendor");
    expect(defaultColumn(heatmap, [])).toBe("fare");
    expect(defaultColumn({ columns: ["x"], partitions: ["p"], cells: [{ column: "x", partition: "p", z: null, statistic: null }], max: 0 }, [])).toBe("x");
    expect(defaultColumn({ columns: [], partitions: [], cells: [], max: 0 }, [])).toBeNull();
  });

  it("labels at most the slots available, always the first and last partition", () => {
    const ps = Array.from({ length: 10 }, (_, i) => `p${i}`);
    expect(axisLabels(ps, 4)).toEqual(["p0", null, null, "p3", null, null, "p6", null, null, "p9"]);
    expect(axisLabels(ps, 20)).toEqual(ps);
    expect(axisLabels([], 5)).toEqual([]);
  });
});

describe("series", () => {
  const points = [
    { partition: "2026-01-01", value: 10, mean: null, low: null, high: null, z: null, flagged: false },
    { partition: "2026-01-02", value: 11, mean: 10, low: 8, high: 12, z: 0.5, flagged: false },
    { partition: "2026-01-03", value: 61.3, mean: 12.1, low: 14, high: 10, z: 9.4, flagged: true },
    { partition: "2026-01-04", value: null, mean: 12, low: 9, high: 15, z: null, flagged: true },
  ];

  it("turns points into rows with a [low, high] band and flagged marks on the value", () => {
    const rows = seriesRows(points);
    expect(rows[0]).toEqual({ partition: "2026-01-01", value: 10, mean: null, band: null, flagged: null, z: null });
    expect(rows[1]!.band).toEqual([8, 12]);
    // A band given upside down is put in order; a flagged point is marked at its value.
    expect(rows[2]).toMatchObject({ band: [10, 14], flagged: 61.3, z: 9.4 });
    // Flagged without a value: nothing to mark.
    expect(rows[3]!.flagged).toBeNull();
    expect(flaggedCount(rows)).toBe(1);
    expect(seriesRows([{ partition: "x", value: Number.POSITIVE_INFINITY, mean: Number.NaN, low: 1, high: null, z: null, flagged: true }])[0]).toEqual({ partition: "x", value: null, mean: null, band: null, flagged: null, z: null });
  });

  it("pads the y range, keeps shares on 0–1, and widens a flat line", () => {
    const rows = seriesRows(points);
    // 8 − 2.665 … 61.3 + 2.665, widened to steps of 20.
    expect(yDomain(rows)).toEqual([0, 80]);
    expect(yDomain(seriesRows([{ ...points[0]!, value: 0.98 }, { ...points[1]!, value: 1, low: 0.97, high: 1.2 }]), true)).toEqual([0, 1]);
    // Not a share after all (a broken statistic): the usual padded range.
    expect(yDomain(seriesRows([{ ...points[0]!, value: 1.5 }, { ...points[1]!, value: 1, low: 0.9, high: 1.1 }]), true)).toEqual([0.8, 1.6]);
    expect(yDomain(seriesRows([{ ...points[0]!, value: 5 }]))).toEqual([4.5, 5.5]);
    expect(yDomain(seriesRows([{ ...points[0]!, value: 0 }]))).toEqual([-1, 1]);
    expect(yDomain([])).toBeNull();
  });

  it("cuts the band at the floor of a statistic that cannot go negative", () => {
    const band = { partition: "p", value: 3, mean: 3, low: -4, high: 10, z: 0, flagged: false };
    expect(seriesRows([band], floorOf("distinct"))[0]!.band).toEqual([0, 10]);
    expect(seriesRows([band], floorOf("mean"))[0]!.band).toEqual([-4, 10]);
    expect(seriesRows([{ ...band, low: -9, high: -2 }], floorOf("std"))[0]!.band).toEqual([0, 0]);
    expect(floorOf("coverage")).toBe(0);
    // Nor does the axis's padding go below it.
    expect(yDomain(seriesRows([{ ...band, value: 5, low: 0, high: 60 }], 0), false, 0)).toEqual([0, 80]);
    expect(yDomain(seriesRows([{ ...band, value: 5, low: 0, high: 60 }]))).toEqual([-20, 80]);
  });

  it("gives round ticks over the whole range", () => {
    expect(yAxis(seriesRows([{ partition: "p", value: 12, mean: 20, low: -8, high: 180, z: 0, flagged: false }]))).toEqual({ domain: [-100, 200], ticks: [-100, 0, 100, 200] });
    expect(yAxis(seriesRows([{ partition: "p", value: 0.5, mean: null, low: null, high: null, z: null, flagged: false }]), true)!.ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it("rounds a range out to a 1-2-5 step", () => {
    expect(niceDomain(-8.09, 185)).toEqual([-50, 200]);
    expect(niceDomain(0.97, 1.03)).toEqual([0.96, 1.04]);
    expect(niceDomain(0.1, 0.3)).toEqual([0.1, 0.3]);
    expect(niceDomain(3, 3)).toEqual([3, 3]);
  });

  it("formats ticks compactly", () => {
    expect([0, 12.345, 150.4, 12_345, 4_500_000, 2e9, 0.0123, 0.00001234, -3.5].map(formatTick)).toEqual(["0", "12.35", "150", "12.3k", "4.5M", "2.0G", "0.012", "1.2e-5", "-3.5"]);
  });
});

describe("status and decisions", () => {
  it("names every status and flags only undecided drift", () => {
    expect(statusInfo("held")).toMatchObject({ label: "held", variant: "destructive" });
    expect(statusInfo("insufficient-history").label).toBe("insufficient history");
    expect(statusInfo("something-new")).toMatchObject({ label: "something-new", variant: "outline" });
    expect(["ok", "drift", "held", "released", "dropped", "open"].filter(isOpenFlag)).toEqual(["drift", "held"]);
  });

  it("offers release and drop on a flag, mark valid until the partition is history", () => {
    expect(allowedDecisions("held", false)).toEqual(["release", "drop", "markValid"]);
    expect(allowedDecisions("drift", true)).toEqual(["release", "drop"]);
    expect(allowedDecisions("released", false)).toEqual(["markValid"]);
    expect(allowedDecisions("dropped", true)).toEqual([]);
    expect(allowedDecisions("ok", true)).toEqual([]);
    expect(allowedDecisions("open", false)).toEqual([]);
  });
});

describe("findings", () => {
  const findings = [
    { column: "fare", statistic: "mean", value: 40, mean: 12, std: 3, z: 9.3 },
    { column: "fare", statistic: "p50", value: 61.3, mean: 12.1, std: 5.2, z: 9.4 },
    { column: "vendor", statistic: "coverage", value: 0.5, mean: 1, std: 0.05, z: -10 },
    { column: "tip", statistic: "mean", value: 1, mean: 1, std: 1, z: 0 },
  ];

  it("sorts by |z|, marks responsible ones and keeps them past the limit", () => {
    const rows = findingRows(findings, [{ column: "fare", statistic: "p50" }, { column: "tip", statistic: "mean" }], 2);
    expect(rows.map((r) => `${r.column}.${r.statistic}`)).toEqual(["vendor.coverage", "fare.p50", "tip.mean"]);
    expect(rows.map((r) => r.responsible)).toEqual([false, true, true]);
    expect(findingRows([], [])).toEqual([]);
  });

  it("formats shares as percentages and other statistics compactly", () => {
    expect(formatStat("coverage", 0.953)).toBe("95.3%");
    expect(formatStat("coverage", 1)).toBe("100%");
    expect(formatStat("p50", 61.34)).toBe("61.3");
    expect(formatStat("mean", 1234.5)).toBe("1235");
    expect(formatStat("mean", 2.5e7)).toBe("2.50e+7");
    expect(formatStat("std", 0.0001)).toBe("1.00e-4");
    expect(formatStat("std", null)).toBe("—");
  });

  it("charts the statistics a column's summary holds, plus any a finding names", () => {
    const summary = { columns: { fare: { kind: "number", stats: { coverage: 1, mean: 12, std: 3, p50: undefined } } } };
    expect(statisticsOf(summary, "fare", [{ column: "fare", statistic: "p95" }, { column: "tip", statistic: "max" }])).toEqual(["coverage", "mean", "std", "p95"]);
    expect(statisticsOf(null, "fare")).toEqual([]);
  });
});
