import { describe, expect, it } from "vitest";
import { heatmapData, seriesData } from "../../src/drift/chart-data.ts";
import { detect, type PartitionInput } from "../../src/drift/detector.ts";
import { explainFinding } from "../../src/drift/explain.ts";
import { createAccumulator } from "../../src/drift/profile-accumulator.ts";
import { summarize } from "../../src/drift/summary.ts";
import { rng } from "../../scripts/drift-eval/corruptions.ts";

type Row = Record<string, unknown>;

function partition(key: string, rows: Row[]): PartitionInput {
  const acc = createAccumulator();
  for (const r of rows) acc.add(r);
  return { partition: key, summary: summarize(acc) };
}

function day(i: number, seed: number, change: (row: Row, j: number) => Row = (r) => r): PartitionInput {
  const random = rng(seed * 1000 + i);
  const rows = Array.from({ length: 400 }, (_, j) =>
    change({ fare: Math.round(10 + 5 * (random() + random() + random())), carrier: random() < 0.6 ? "AA" : "DL", paid: true }, j),
  );
  return partition(`2001-01-${String(i + 1).padStart(2, "0")}`, rows);
}

const history = Array.from({ length: 20 }, (_, i) => day(i, 1));

describe("detect", () => {
  it("says insufficient-history below the minimum, and scores nothing", () => {
    const v = detect(history.slice(0, 4), day(20, 1));
    expect(v.status).toBe("insufficient-history");
    expect(v.score).toBeNull();
    expect(v.history).toBe(4);
    expect(detect(history.slice(0, 2), day(20, 1), { minHistory: 2 }).status).toBe("ok");
  });

  it("passes a clean partition and flags a unit change, naming the column and statistic", () => {
    expect(detect(history, day(20, 1)).status).toBe("ok");
    const v = detect(history, day(21, 1, (r, j) => (j % 20 === 0 ? { ...r, fare: (r.fare as number) * 100 } : r)));
    expect(v.status).toBe("drift");
    expect(v.score).toBeGreaterThanOrEqual(v.threshold);
    expect(v.columns[0]!.column).toBe("fare");
    expect(v.columns.every((c) => c.column === "fare")).toBe(true);
    const top = v.columns[0]!;
    expect(Math.abs(top.z)).toBeGreaterThanOrEqual(7);
    expect(explainFinding(top)).toMatch(/^fare: \S+ (rose|fell) from .+ to .+, z = -?\d+\.\d$/);
  });

  it("floors a constant history's zero std with sampling noise: one stray value is no alarm, 5% are", () => {
    // `paid` was true in every row of every partition: std 0.
    const one = detect(history, day(22, 1, (r, j) => (j === 0 ? { ...r, paid: false } : r)));
    expect(one.status).toBe("ok");
    const many = detect(history, day(22, 1, (r, j) => (j % 20 === 0 ? { ...r, paid: false } : r)));
    expect(many.status).toBe("drift");
    expect(many.columns[0]).toMatchObject({ column: "paid", statistic: "trueShare", mean: 1 });
    expect(Number.isFinite(many.columns[0]!.z)).toBe(true);
  });

  it("flags a column pinned to one of its rarer values in 5% of rows (valueShare), not a value seen in 4 rows", () => {
    // A real value a bug writes as a default: carrier "UA" was 1 row in 200; now 1 in 20 more.
    const withUa = (seed: number, i: number, every: number) => day(i, seed, (r, j) => (j % every === 7 ? { ...r, carrier: "UA" } : r));
    const rareHistory = Array.from({ length: 20 }, (_, i) => withUa(1, i, 200));
    expect(detect(rareHistory, withUa(1, 20, 200)).status).toBe("ok");
    const pinned = detect(rareHistory, withUa(1, 21, 20));
    expect(pinned.status).toBe("drift");
    expect(pinned.columns[0]).toMatchObject({ column: "carrier", statistic: "valueShare", value: 0.05 });
    expect(detect(rareHistory, withUa(1, 21, 20), { valueShares: false }).findings.some((f) => f.statistic === "valueShare")).toBe(false);
    // The profile keeps the value behind each counted hash, so the sentence names it.
    expect(pinned.columns[0]).toMatchObject({ label: "UA" });
    expect(explainFinding(pinned.columns[0]!)).toMatch(/^carrier: share of value "UA" rose from 0\.\d% to 5\.0%/);
    // A profile stored before labels were kept (or a value seen once per batch) still reads as "one value".
    const { label: _label, ...unlabelled } = pinned.columns[0]!;
    expect(explainFinding(unlabelled)).toMatch(/^carrier: share of one value rose from 0\.\d% to 5\.0%/);
    expect(explainFinding({ ...unlabelled, label: 42 })).toMatch(/^carrier: share of value 42 rose/);
    // Four rows of a value are never a signal on their own, however rare it was.
    const four = detect(rareHistory, withUa(1, 22, 100));
    expect(four.findings.some((f) => f.statistic === "valueShare" && f.value === 0.01)).toBe(false);
  });

  it("ignores NaN and Infinity statistics instead of propagating them", () => {
    const broken = history.map((p, i) => (i % 3 ? p : { ...p, summary: { ...p.summary, columns: { ...p.summary.columns, fare: { ...p.summary.columns.fare!, stats: { ...p.summary.columns.fare!.stats, mean: Number.NaN, max: Infinity } } } } }));
    const v = detect(broken, day(20, 1));
    expect(v.status).toBe("ok");
    for (const f of v.findings) expect(Number.isFinite(f.z)).toBe(true);
  });

  it("treats a column that vanished as coverage 0, and does not score a column that just appeared", () => {
    const gone = detect(history, day(20, 1, ({ carrier: _c, ...r }) => r));
    expect(gone.status).toBe("drift");
    expect(gone.columns[0]).toMatchObject({ column: "carrier", statistic: "coverage", value: 0, mean: 1 });
    const added = detect(history, day(20, 1, (r) => ({ ...r, tip: 3 })));
    expect(added.status).toBe("ok");
    expect(added.findings.some((f) => f.column === "tip")).toBe(false);
  });

  it("flags a column whose values change type", () => {
    const v = detect(history, day(20, 1, (r, j) => (j % 10 === 0 ? { ...r, fare: String(r.fare) } : r)));
    expect(v.status).toBe("drift");
    expect(v.columns[0]).toMatchObject({ column: "fare", statistic: "typeShare" });
    const flipped = detect(history, day(20, 1, (r) => ({ ...r, fare: String(r.fare) })));
    expect(flipped.columns[0]).toMatchObject({ column: "fare", statistic: "typeShare", value: 0 });
  });

  it("compares only the watched columns, and validates options", () => {
    const v = detect(history, day(21, 1, (r) => ({ ...r, fare: (r.fare as number) * 100 })), { columns: ["carrier"] });
    expect(v.status).toBe("ok");
    expect(new Set(v.findings.map((f) => f.column))).toEqual(new Set(["carrier"]));
    expect(() => detect(history, day(20, 1), { window: 3 })).toThrow(/window/);
    expect(() => detect(history, day(20, 1), { threshold: Number.NaN })).toThrow(/threshold/);
  });
});

describe("chart preparers", () => {
  const verdicts = [...history.slice(5), day(25, 1, (r, j) => (j % 20 === 0 ? { ...r, fare: -(r.fare as number) } : r))].map((p, i, all) =>
    detect(i === all.length - 1 ? history : history.slice(0, 5 + i), p),
  );

  it("builds a |z| heatmap of columns × partitions", () => {
    const h = heatmapData(verdicts);
    expect(h.partitions).toEqual(verdicts.map((v) => v.partition));
    expect(h.columns).toEqual(["carrier", "fare", "paid"]);
    expect(h.cells).toHaveLength(3 * verdicts.length);
    const last = h.cells[1 * h.partitions.length + h.partitions.length - 1]!;
    expect(last.column).toBe("fare");
    expect(["negativeShare", "min", "p5", "mean"]).toContain(last.statistic);
    expect(last.z).toBe(h.max);
    for (const c of h.cells) if (c.z !== null) expect(c.z).toBeGreaterThanOrEqual(0);
  });

  it("builds a statistic's series with the history band and the flagged partition marked", () => {
    const s = seriesData(verdicts, "fare", "negativeShare");
    expect(s).toHaveLength(verdicts.length);
    const last = s.at(-1)!;
    expect(last.flagged).toBe(true);
    expect(last.value).toBeCloseTo(0.05, 2);
    expect(last.value!).toBeGreaterThan(last.high!);
    for (const p of s.slice(0, -1)) {
      expect(p.flagged).toBe(false);
      expect(p.value!).toBeGreaterThanOrEqual(p.low!);
      expect(p.value!).toBeLessThanOrEqual(p.high!);
    }
  });
});
