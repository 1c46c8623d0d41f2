import { describe, expect, it } from "vitest";
import { createAccumulator, merge, mergeProfileJSON, ProfileAccumulator } from "../../src/drift/profile-accumulator.ts";
import { resolveProfileOptions } from "../../src/drift/profile-options.ts";
import { QUANTILE_ACCURACY } from "../../src/drift/quantile-sketch.ts";
import { summarize } from "../../src/drift/summary.ts";
import { rng } from "../../scripts/drift-eval/corruptions.ts";

function rows(n: number, seed: number) {
  const random = rng(seed);
  const carriers = ["AA", "DL", "UA", "WN", "B6"];
  return Array.from({ length: n }, (_, i) => ({
    fare: i % 13 === 0 ? null : Math.round(50 + 200 * random() * random()) + (i % 4 === 0 ? 0.5 : 0),
    delay: Math.round(60 * (random() - 0.3)),
    carrier: carriers[Math.floor(random() ** 2 * carriers.length)]!,
    late: random() < 0.2,
    meta: { seats: 100 + (i % 50), deep: { x: i } },
    vec: [random(), random() - 0.5, 1],
  }));
}

describe("profile accumulator", () => {
  const data = rows(5000, 1);
  const acc = createAccumulator();
  for (const r of data) acc.add(r);
  const s = summarize(acc);

  it("computes the statistics of each kind against exact values", () => {
    const fares = data.map((r) => r.fare).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const mean = fares.reduce((a, b) => a + b, 0) / fares.length;
    const fare = s.columns.fare!;
    expect(fare.kind).toBe("number");
    expect(fare.stats.coverage).toBeCloseTo(fares.length / data.length, 12);
    expect(fare.stats.mean).toBeCloseTo(mean, 9);
    expect(fare.stats.std).toBeCloseTo(Math.sqrt(fares.reduce((a, b) => a + (b - mean) ** 2, 0) / fares.length), 9);
    expect(fare.stats.min).toBe(fares[0]);
    expect(fare.stats.max).toBe(fares.at(-1));
    for (const [name, q] of [["p5", 0.05], ["p50", 0.5], ["p95", 0.95]] as const) {
      const exact = fares[Math.floor(q * (fares.length - 1))]!;
      expect(Math.abs(fare.stats[name]! - exact)).toBeLessThanOrEqual(QUANTILE_ACCURACY * exact);
    }
    // More than 256 distinct values: the HyperLogLog estimate, within 3 standard errors.
    const distinct = new Set(fares).size;
    expect(distinct).toBeGreaterThan(256);
    expect(Math.abs(fare.stats.distinct! - distinct) / distinct).toBeLessThan(3 * 0.023);
    expect(fare.stats.integerShare).toBeCloseTo(fares.filter(Number.isInteger).length / fares.length, 12);
    const delays = data.map((r) => r.delay);
    expect(s.columns.delay!.stats.negativeShare).toBeCloseTo(delays.filter((d) => d < 0).length / delays.length, 12);
    const counts = new Map<string, number>();
    for (const r of data) counts.set(r.carrier, (counts.get(r.carrier) ?? 0) + 1);
    expect(s.columns.carrier!.stats.topShare).toBeCloseTo(Math.max(...counts.values()) / data.length, 12);
    expect(s.columns.carrier!.stats.distinct).toBe(counts.size);
    expect(s.columns.carrier!.stats.lengthMean).toBe(2);
    expect(s.columns.late!.stats.trueShare).toBeCloseTo(data.filter((r) => r.late).length / data.length, 12);
  });

  it("follows nested objects by dotted path up to maxDepth and treats number arrays as embeddings", () => {
    expect(s.columns["meta.seats"]!.stats.mean).toBeCloseTo(124.5, 9);
    expect(s.columns["meta.deep.x"]).toBeDefined();
    const vec = s.columns.vec!;
    expect(vec.kind).toBe("embedding");
    const norms = data.map((r) => Math.hypot(...r.vec));
    expect(vec.stats.meanNorm).toBeCloseTo(norms.reduce((a, b) => a + b, 0) / norms.length, 9);
    const dimMean = data.reduce((a, r) => a + r.vec[0]! + r.vec[1]! + r.vec[2]!, 0) / (3 * data.length);
    expect(vec.stats.dimMean).toBeCloseTo(dimMean, 9);
    const shallow = createAccumulator({ maxDepth: 1 });
    shallow.add(data[0]);
    expect(Object.keys(summarize(shallow).columns)).toContain("meta.seats");
    expect(Object.keys(summarize(shallow).columns)).not.toContain("meta.deep.x");
  });

  it("honours include, exclude and the column cap", () => {
    const some = createAccumulator({ include: ["meta", "fare"], exclude: ["meta.deep"] });
    for (const r of data.slice(0, 10)) some.add(r);
    expect(Object.keys(summarize(some).columns).sort()).toEqual(["fare", "meta.seats"]);
    const capped = createAccumulator({ maxColumns: 2 });
    for (const r of data.slice(0, 10)) capped.add(r);
    expect(capped.columns.size).toBe(2);
    expect(capped.dropped).toBeGreaterThan(0);
    expect(() => createAccumulator({ maxDepth: -1 })).toThrow(/maxDepth/);
    expect(() => createAccumulator({ bogus: 1 } as never)).toThrow(/bogus/);
  });

  it("reports a mixed column by its majority kind with typeShare, and skips NaN/Infinity as missing", () => {
    const mixed = createAccumulator();
    for (let i = 0; i < 100; i++) mixed.add({ x: i % 10 === 0 ? String(i) : i, y: i % 5 === 0 ? Number.NaN : i % 7 === 0 ? Infinity : 1 });
    const m = summarize(mixed).columns;
    expect(m.x!.kind).toBe("number");
    expect(m.x!.stats.typeShare).toBeCloseTo(0.9, 12);
    expect(m.x!.kinds).toEqual({ number: 90, string: 10 });
    // 20 NaN (multiples of 5) and 12 Infinity (multiples of 7 but not of 5).
    expect(m.y!.stats.coverage).toBeCloseTo(0.68, 12);
  });

  it("merges random splits, in any order and through JSON, into the profile of all rows", () => {
    const random = rng(11);
    for (let trial = 0; trial < 5; trial++) {
      const parts = Array.from({ length: 2 + Math.floor(random() * 6) }, () => createAccumulator());
      for (const r of data) parts[Math.floor(random() * parts.length)]!.add(r);
      // Merge through stored JSON, as the database will, in a shuffled order and a random tree shape.
      const pool = parts.map((p) => p.toJSON());
      while (pool.length > 1) {
        const i = Math.floor(random() * pool.length);
        const a = pool.splice(i, 1)[0]!;
        const j = Math.floor(random() * pool.length);
        const b = pool.splice(j, 1)[0]!;
        pool.push(random() < 0.5 ? mergeProfileJSON(a, b) : mergeProfileJSON(b, a));
      }
      const merged = summarize(pool[0]!);
      expect(merged.rows).toBe(s.rows);
      for (const [column, whole] of Object.entries(s.columns)) {
        const part = merged.columns[column]!;
        for (const [stat, value] of Object.entries(whole.stats)) {
          const got = part.stats[stat as keyof typeof whole.stats]!;
          // Misra–Gries counts depend on merge order within their bound (n/65 per count);
          // everything else adds exactly (Welford's pairwise merge agrees to rounding).
          if (stat === "topShare") expect(Math.abs(got - value!)).toBeLessThanOrEqual(1 / 65);
          else expect(got).toBeCloseTo(value!, 6);
        }
      }
    }
  });

  it("merge() leaves its inputs alone; fromJSON rejects an unknown format", () => {
    const a = createAccumulator();
    const b = createAccumulator();
    a.add({ x: 1 });
    b.add({ x: 2, y: "new" });
    const ab = merge(a, b);
    expect(ab.rows).toBe(2);
    expect(a.rows).toBe(1);
    expect(summarize(ab).columns.y!.stats.coverage).toBe(0.5);
    expect(() => ProfileAccumulator.fromJSON({ v: 2 } as never, resolveProfileOptions())).toThrow(/format/);
  });
});
