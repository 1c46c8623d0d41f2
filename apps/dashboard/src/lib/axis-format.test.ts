import { describe, expect, it } from "vitest";
import { formatMsTick, formatTick } from "./axis-format";

describe("axis tick formatting", () => {
  it("keeps every digit's meaning at 100k and above, in a short label", () => {
    expect([0, 5, 12.5, 250, 9999, 100_000, 120_000, 1_500_000, 2_000_000_000].map(formatTick)).toEqual([
      "0", "5", "12.5", "250", "9999", "100k", "120k", "1.5M", "2B",
    ]);
  });

  it("gives sub-0.01 values distinct labels, not 0.00", () => {
    const ticks = [0.002, 0.004, 0.006, 0.008].map(formatTick);
    expect(ticks).toEqual(["0.002", "0.004", "0.006", "0.008"]);
    expect(new Set(ticks).size).toBe(4);
    expect(formatTick(0.00003)).toBe("3e-5");
    expect(formatTick(-0.25)).toBe("-0.25");
  });

  it("formats latency ticks from microseconds to minutes", () => {
    expect([0.002, 0.004, 0.008].map(formatMsTick)).toEqual(["2 µs", "4 µs", "8 µs"]);
    expect(formatMsTick(0.25)).toBe("250 µs");
    expect(formatMsTick(0)).toBe("0 ms");
    expect(formatMsTick(4.5)).toBe("4.5 ms");
    expect(formatMsTick(250)).toBe("250 ms");
    expect(formatMsTick(1500)).toBe("1.5 s");
    expect(formatMsTick(90_000)).toBe("1.5 min");
  });
});
