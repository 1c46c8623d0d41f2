// The fast paths (a window slid from check to check, detectSeries) must judge exactly as a
// window built from scratch does.
import { describe, expect, it } from "vitest";
import { compare, detect, detectSeries, resolveDetectOptions, type PartitionInput, type PartitionVerdict } from "../../src/drift/detector.ts";
import { SortedValues } from "../../src/drift/history-window.ts";
import { createAccumulator } from "../../src/drift/profile-accumulator.ts";
import { baselineOf } from "../../src/drift/robust-baseline.ts";
import { summarize } from "../../src/drift/summary.ts";
import { rng } from "../../scripts/drift-eval/corruptions.ts";

function partitions(n: number, seed: number): PartitionInput[] {
  const random = rng(seed);
  return Array.from({ length: n }, (_, d) => {
    const acc = createAccumulator();
    for (let r = 0; r < 120; r++) {
      // A column that changes kind half-way, one that appears late, one that is sometimes absent.
      const row: Record<string, unknown> = { fare: Math.round(100 * random()) / 10, carrier: random() < 0.5 ? "AA" : "DL", paid: random() < 0.9 };
      row.code = d < n / 2 ? Math.floor(random() * 5) : `c${Math.floor(random() * 5)}`;
      if (d > n / 3) row.tip = random() * 3;
      if (d % 7 !== 3) row.seats = 1 + Math.floor(random() * 4);
      if (d === 17 && r % 10 === 0) row.fare = -(row.fare as number) * 100;
      acc.add(row);
    }
    return { partition: String(d).padStart(3, "0"), summary: summarize(acc) };
  });
}

/** The verdict computed from a window built afresh, bypassing every cache. */
function reference(history: PartitionInput[], current: PartitionInput, window = 30): PartitionVerdict {
  const opts = resolveDetectOptions({ window });
  const win = history.slice(-window);
  const findings = compare(win.map((p) => ({ partition: p.partition, summary: structuredClone(p.summary) })), { ...current, summary: structuredClone(current.summary) }, opts);
  let score = 0;
  for (const f of findings) score = Math.max(score, Math.abs(f.z));
  return { ...detect(history, current, { window }), findings, score };
}

describe("sliding history window", () => {
  const all = partitions(60, 5);

  it("keeps a multiset sorted through bulk adds, single adds and removals", () => {
    const s = new SortedValues();
    const kept: number[] = [];
    const random = rng(9);
    for (let i = 0; i < 40; i++) {
      const x = Math.round(random() * 20);
      s.add(x);
      kept.push(x);
    }
    for (let i = 0; i < 200; i++) {
      if (random() < 0.5 && kept.length) {
        const x = kept.splice(Math.floor(random() * kept.length), 1)[0]!;
        s.remove(x);
      } else {
        const x = Math.round(random() * 20);
        s.add(x);
        kept.push(x);
      }
      expect([...s.sort().subarray(0, s.size)]).toEqual([...kept].sort((a, b) => a - b));
    }
    expect(() => s.remove(1000)).toThrow(/does not hold/);
  });

  it("reads median, MAD and tail spread off a sorted array as a sort of the deviations does", () => {
    const random = rng(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 40);
      const values = Array.from({ length: n }, () => (random() < 0.3 ? 1 : Math.round(random() * 50) / 7));
      const sorted = [...values].sort((a, b) => a - b);
      const center = n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
      const dev = values.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
      let mad = 1.4826 * (n % 2 ? dev[n >> 1]! : (dev[(n >> 1) - 1]! + dev[n >> 1]!) / 2);
      if (mad === 0) mad = (1.2533 * dev.reduce((a, b) => a + b, 0)) / n;
      const b = baselineOf(values);
      expect(b.center).toBe(center);
      expect(b.scale).toBeCloseTo(Math.max(mad, dev[n - 1]! / 3), 12);
      expect(b.mean).toBeCloseTo(values.reduce((a, c) => a + c, 0) / n, 12);
    }
  });

  it("detect() on consecutive windows (slid in the pool) equals a window built from scratch", () => {
    for (const window of [5, 12, 30]) {
      for (let t = 5; t < all.length; t++) {
        const fast = detect(all.slice(0, t), all[t]!, { window });
        const slow = reference(all.slice(0, t), all[t]!, window);
        expect(fast.findings).toEqual(slow.findings);
        expect(fast.score).toBe(slow.score);
      }
    }
    // Out of order and overlapping windows still agree.
    for (const [from, to] of [[40, 55], [3, 20], [10, 45], [30, 59], [0, 59]] as const) {
      expect(detect(all.slice(from, to), all[to]!).findings).toEqual(reference(all.slice(from, to), all[to]!).findings);
    }
  });

  it("detectSeries equals detect() per partition with flagged partitions left out of later histories", () => {
    const series = detectSeries(all, { window: 12 });
    const valid: PartitionInput[] = [];
    all.forEach((p, i) => {
      const v = detect(valid, p, { window: 12 });
      expect(series[i]).toEqual(v);
      if (v.status !== "drift") valid.push(p);
    });
    expect(series.filter((v) => v.status === "drift").map((v) => v.partition)).toContain("017");
    expect(series.slice(0, 5).every((v) => v.status === "insufficient-history")).toBe(true);
    // keep decides what joins the history: keeping everything matches detect() on all earlier partitions.
    const keepAll = detectSeries(all, { window: 12, keep: () => true });
    all.forEach((p, i) => expect(keepAll[i]).toEqual(detect(all.slice(0, i), p, { window: 12 })));
  });
});
