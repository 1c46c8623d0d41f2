import { describe, expect, it } from "vitest";
import { wilsonInterval } from "../../src/index.ts";

describe("wilsonInterval (95%)", () => {
  // Hand-computed: p̂ = s/n, z = 1.96, centre (p̂ + z²/2n)/(1 + z²/n),
  // half-width z/(1 + z²/n) · sqrt(p̂(1−p̂)/n + z²/4n²).
  it("matches hand-computed figures", () => {
    const a = wilsonInterval(2, 3)!;
    expect(a.low).toBeCloseTo(0.2077, 4);
    expect(a.high).toBeCloseTo(0.9385, 4);
    const b = wilsonInterval(8, 10)!;
    expect(b.low).toBeCloseTo(0.4902, 4);
    expect(b.high).toBeCloseTo(0.9433, 4);
    const c = wilsonInterval(50, 100)!;
    expect(c.low).toBeCloseTo(0.4038, 4);
    expect(c.high).toBeCloseTo(0.5962, 4);
  });

  it("stays inside [0, 1] at the edges and is wide for few labels", () => {
    const none = wilsonInterval(0, 3)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.5615, 4);
    const all = wilsonInterval(3, 3)!;
    expect(all.low).toBeCloseTo(0.4385, 4);
    expect(all.high).toBe(1);
  });

  it("is null without trials and refuses impossible counts", () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(4, 3)).toThrow(RangeError);
  });
});
