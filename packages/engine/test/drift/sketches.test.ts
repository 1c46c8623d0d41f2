import { describe, expect, it } from "vitest";
import { DistinctSketch } from "../../src/drift/distinct-sketch.ts";
import { hashNumber, hashString } from "../../src/drift/hash.ts";
import { HeavyHitters } from "../../src/drift/heavy-hitters.ts";
import { QUANTILE_ACCURACY, QuantileSketch } from "../../src/drift/quantile-sketch.ts";
import { rng } from "../../scripts/drift-eval/corruptions.ts";

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe("QuantileSketch", () => {
  const random = rng(7);
  // Log-normal with a tail of negatives and exact zeros: what real columns look like.
  const values = Array.from({ length: 20_000 }, (_, i) => (i % 10 === 0 ? 0 : (i % 7 === 0 ? -1 : 1) * Math.exp(3 * (random() + random() - 1) * 2)));
  const sorted = [...values].sort((a, b) => a - b);

  it("answers every quantile within its relative accuracy of the exact value", () => {
    const sketch = new QuantileSketch();
    for (const v of values) sketch.add(v);
    for (const q of [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(sketch.quantile(q) - exact)).toBeLessThanOrEqual(QUANTILE_ACCURACY * Math.abs(exact) + 1e-12);
    }
    expect(sketch.count).toBe(values.length);
  });

  it("folds magnitudes beyond its span into the lowest bucket, the same way in any merge order", () => {
    // 1e-6 … 1e12 spans far more than 1024 buckets: the small end folds, the large end stays exact.
    const wide = Array.from({ length: 2000 }, (_, i) => 10 ** (-6 + (18 * i) / 1999));
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    wide.forEach((v, i) => (i % 2 ? a : b).add(v));
    const ab = QuantileSketch.fromJSON(a.toJSON()).merge(b);
    const ba = QuantileSketch.fromJSON(b.toJSON()).merge(a);
    expect(ab.toJSON()).toEqual(ba.toJSON());
    expect(ab.toJSON().p.length / 2).toBeLessThanOrEqual(1024);
    for (const q of [0.75, 0.95, 1]) {
      const exact = wide[Math.floor(q * (wide.length - 1))]!;
      expect(Math.abs(ab.quantile(q) - exact)).toBeLessThanOrEqual(QUANTILE_ACCURACY * exact);
    }
    expect(ab.quantile(0)).toBeGreaterThan(wide[0]!);
  });

  it("merges negative, zero and positive values exactly, in any order, and survives JSON", () => {
    const whole = new QuantileSketch();
    for (const v of values) whole.add(v);
    const parts = [new QuantileSketch(), new QuantileSketch(), new QuantileSketch()];
    values.forEach((v, i) => parts[i % 3]!.add(v));
    const ab = QuantileSketch.fromJSON(JSON.parse(JSON.stringify(parts[0]!.merge(parts[1]!).merge(parts[2]!))));
    for (const q of [0.02, 0.05, 0.5, 0.95]) expect(ab.quantile(q)).toBe(whole.quantile(q));
  });

  it("puts small integers in the same buckets as any other value (the integer table matches the logarithm)", () => {
    const gamma = (1 + QUANTILE_ACCURACY) / (1 - QUANTILE_ACCURACY);
    for (let v = 1; v < 5000; v++) {
      const sketch = new QuantileSketch();
      sketch.add(v);
      sketch.add(-v);
      const bucket = (2 * Math.pow(gamma, Math.ceil(Math.log(v) / Math.log(gamma)))) / (gamma + 1);
      expect([v, sketch.quantile(1)]).toEqual([v, bucket]);
      expect([v, sketch.quantile(0)]).toEqual([v, -bucket]);
    }
  });

  it("is empty-safe", () => {
    expect(new QuantileSketch().quantile(0.5)).toBeNaN();
  });
});

describe("DistinctSketch", () => {
  it("is exact up to 256 values", () => {
    const sketch = new DistinctSketch();
    for (let i = 0; i < 1000; i++) sketch.add(hashNumber(i % 200));
    expect(sketch.estimate()).toBe(200);
  });

  it("estimates large cardinalities within 3 standard errors (2.3% each) and merges as a union", () => {
    for (const n of [1_000, 20_000, 200_000]) {
      const a = new DistinctSketch();
      const b = new DistinctSketch();
      for (let i = 0; i < n; i++) (i % 2 ? a : b).add(hashString(`user-${i}`));
      for (let i = 0; i < n / 2; i++) a.add(hashString(`user-${i}`));
      const merged = DistinctSketch.fromJSON(JSON.parse(JSON.stringify(a.merge(b))));
      expect(Math.abs(merged.estimate() - n) / n).toBeLessThan(3 * 0.023);
    }
  });
});

describe("HeavyHitters", () => {
  it("counts exactly while a column has at most 128 distinct values", () => {
    const hh = new HeavyHitters();
    const exact = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const v = i % 7 === 0 ? 1000 : i % 127;
      exact.set(v, (exact.get(v) ?? 0) + 1);
      hh.add(hashNumber(v));
    }
    expect(exact.size).toBe(128);
    expect(hh.top()).toBe(Math.max(...exact.values()));
    expect(hh.purged).toBe(0);
  });

  it("underestimates the top count by at most n/65 on high-cardinality columns, merged or not", () => {
    const random = rng(3);
    const n = 30_000;
    const a = new HeavyHitters();
    const b = new HeavyHitters();
    let top = 0;
    for (let i = 0; i < n; i++) {
      const hot = random() < 0.2;
      if (hot) top++;
      (i % 2 ? a : b).add(hashNumber(hot ? -1 : Math.floor(random() * 5000)));
    }
    const merged = HeavyHitters.fromJSON(JSON.parse(JSON.stringify(a.merge(b))));
    expect(merged.top()).toBeLessThanOrEqual(top);
    expect(top - merged.top()).toBeLessThanOrEqual(n / 65);
    expect(merged.purged).toBeGreaterThan(0);
  });

  it("purges exactly as the textbook summary does: subtract the 65th largest count, drop what reaches zero", () => {
    // A reference Misra–Gries with a sort per purge; counts both under and over 256 (the fast
    // path tallies small counts, large ones fall back to sorting).
    const reference = (values: number[]) => {
      const counts = new Map<number, number>();
      let purged = 0;
      for (const v of values) {
        counts.set(v, (counts.get(v) ?? 0) + 1);
        if (counts.size > 128) {
          const cut = [...counts.values()].sort((x, y) => y - x)[64]!;
          for (const [k, c] of counts) if (c <= cut) counts.delete(k);
          else counts.set(k, c - cut);
          purged += cut;
        }
      }
      return { c: [...counts].sort(([x], [y]) => x - y).flat(), d: purged };
    };
    const random = rng(11);
    for (const hotShare of [0, 0.3, 0.9]) {
      const values = Array.from({ length: 40_000 }, () => (random() < hotShare ? Math.floor(random() * 8) : 1000 + Math.floor(random() * 3000)));
      const hh = new HeavyHitters();
      for (const v of values) hh.add(v);
      const { c, d } = hh.toJSON();
      expect({ c, d }).toEqual(reference(values));
    }
  });

  it("keeps the value behind a hash seen twice, through merge and JSON, and forgets it when the counter is purged", () => {
    const a = new HeavyHitters();
    const b = new HeavyHitters();
    a.add(1, "ORD");
    a.add(1, "ORD");
    a.add(2, "once");
    b.add(3, "x".repeat(100));
    b.add(3, "x".repeat(100));
    b.add(4, 7.5);
    b.add(4, 7.5);
    const merged = HeavyHitters.fromJSON(JSON.parse(JSON.stringify(a.merge(b))));
    expect(merged.label(1)).toBe("ORD");
    expect(merged.label(2)).toBeUndefined(); // a singleton costs no label
    expect(merged.label(3)).toBe(`${"x".repeat(60)}…`);
    expect(merged.label(4)).toBe(7.5);
    // Enough other values to purge the light counters: their labels go with them.
    for (let v = 100; v < 400; v++) for (let k = 0; k < 3; k++) merged.add(v, `v${v}`);
    expect(merged.label(4)).toBeUndefined();
    expect(merged.toJSON().l!.length).toBeLessThanOrEqual(2 * 128);
  });
});
