import { describe, expect, it } from "vitest";
import { formatBytes, formatMs, relativeTime } from "./time";

describe("relativeTime", () => {
  const now = Date.UTC(2026, 0, 1, 12);
  it("says just now under 5 seconds", () => expect(relativeTime(now - 2000, now)).toBe("just now"));
  it("picks the largest unit", () => {
    expect(relativeTime(now - 120_000, now)).toBe("2 min. ago");
    expect(relativeTime(now - 3 * 3600_000, now)).toBe("3 hr. ago");
    expect(relativeTime(now + 2 * 86400_000, now)).toBe("in 2 days");
  });
  it("handles garbage", () => expect(relativeTime("nope", now)).toBe("—"));
});

describe("formatters", () => {
  it("formats durations", () => {
    expect(formatMs(0.42)).toBe("0.42 ms");
    expect(formatMs(12.3)).toBe("12 ms");
    expect(formatMs(2500)).toBe("2.50 s");
    expect(formatMs(null)).toBe("—");
  });
  it("formats bytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});
