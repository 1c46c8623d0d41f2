import { describe, expect, it } from "vitest";
import { formatGoodRate, formatInterval, formatLabels, formatPath, formatRate, guessDirection, moveWording } from "./outcome-format";

describe("outcome formatting", () => {
  it("shows a good-rate with its interval, and a dash without labels", () => {
    const f = { good: 2, bad: 1, labeled: 3, goodRate: 2 / 3, interval: { low: 0.2077, high: 0.9385 } };
    expect(formatGoodRate(f)).toBe("67%");
    expect(formatInterval(f)).toBe("21–94%");
    expect(formatGoodRate({ good: 0, bad: 0, labeled: 0, goodRate: null, interval: null })).toBe("—");
    expect(formatLabels(1)).toBe("1 label");
    expect(formatLabels(1200)).toBe("1,200 labels");
    expect(formatRate(0.0004)).toBe("<0.1%");
    expect(formatRate(0.05)).toBe("5.0%");
    expect(formatRate(null)).toBe("—");
  });

  it("words a forward move as a move forward, not a red roll back", () => {
    expect(guessDirection(3, 7)).toBe("forward");
    expect(guessDirection(7, 3)).toBe("back");
    expect(moveWording("forward", "qa", 7)).toEqual({ title: "Move active forward on qa?", confirm: "Move active forward to v7", destructive: false });
    expect(moveWording("back", "qa", 3)).toEqual({ title: "Roll back qa?", confirm: "Roll back to v3", destructive: true });
    expect(moveWording("across", "qa", 5).destructive).toBe(false);
  });

  it("formats JSON paths", () => {
    expect(formatPath(["examples", 2, "label"])).toBe("examples[2].label");
    expect(formatPath([])).toBe("(whole value)");
  });
});
