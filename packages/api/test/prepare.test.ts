// Pure functions: chart preparers, the input guard, row-filter SQL, roles.
import { describe, expect, it } from "vitest";
import { checkRawInput } from "../src/errors.ts";
import { bucketMinutesFor, bucketStarts, fitRate, latencySummary, minuteStarts, percentile, prepareOverview } from "../src/features/stats/prepare.ts";
import { actorOf, allows } from "../src/principal.ts";

const MIN = 60_000;

describe("stats preparers", () => {
  it("percentile is nearest-rank and null when empty", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
  });

  it("minuteStarts ends with the current minute", () => {
    const now = 10 * MIN + 30_000;
    expect(minuteStarts(now, 3)).toEqual([8 * MIN, 9 * MIN, 10 * MIN]);
  });

  it("places rollup buckets and fits per trigger and minute", () => {
    const now = 100 * MIN + 5_000;
    const overview = prepareOverview({
      triggers: ["qa", "idle"],
      now,
      minutes: 3,
      inferences: [
        {
          trigger: "qa",
          buckets: [
            { t: 97 * MIN, inferences: 1, errors: 0, latencyP50: 999, latencyP99: 999 }, // before the window
            { t: 98 * MIN, inferences: 3, errors: 1, latencyP50: 20, latencyP99: 30 },
            { t: 100 * MIN, inferences: 1, errors: 0, latencyP50: 5, latencyP99: 5 },
          ],
          totals: { inferences: 4, errors: 1, latencyP50: 10, latencyP99: 30 },
        },
        { trigger: "other", buckets: [{ t: 99 * MIN, inferences: 1, errors: 0, latencyP50: 1, latencyP99: 1 }], totals: { inferences: 1, errors: 0, latencyP50: 1, latencyP99: 1 } },
      ],
      fits: [
        { trigger: "qa", at: 99 * MIN + 10, durationMs: 200, status: "succeeded" },
        { trigger: "qa", at: 99 * MIN + 20, durationMs: 100, status: "failed" },
        { trigger: "qa", at: 99 * MIN + 30, durationMs: null, status: "succeeded" },
      ],
    });
    expect(overview.from).toEqual(new Date(98 * MIN));
    expect(overview.to).toEqual(new Date(101 * MIN));
    const qa = overview.triggers[0]!;
    expect(qa.series.map((p) => p.inferences)).toEqual([3, 0, 1]);
    expect(qa.series[0]).toMatchObject({ errors: 1, latencyP50: 20, latencyP99: 30, fits: 0, fitDurationP50: null });
    expect(qa.series[1]).toMatchObject({ inferences: 0, errors: 0, latencyP50: null, fits: 3, fitFailures: 1, fitDurationP50: 100, fitDurationMax: 200 });
    expect(qa.series[2]!.t).toEqual(new Date(100 * MIN));
    expect(qa.totals).toEqual({ inferences: 4, errors: 1, latencyP50: 10, latencyP99: 30, fits: 3, fitFailures: 1, fitDurationP50: 100 });
    const idle = overview.triggers[1]!;
    expect(idle.series.every((p) => p.inferences === 0 && p.fits === 0)).toBe(true);
    expect(idle.totals.inferences).toBe(0);
  });

  it("buckets follow the range: 24 h in 15-minute buckets, an hour per minute", () => {
    expect([15, 60, 180, 360, 720, 1_440].map(bucketMinutesFor)).toEqual([1, 1, 2, 5, 10, 15]);
    const now = 10 * 24 * 60 * MIN + 7 * MIN + 5_000; // 7 minutes into a quarter hour
    const quarter = 10 * 24 * 60 * MIN;
    const day = prepareOverview({
      triggers: ["qa"], now, minutes: 1_440,
      inferences: [{ trigger: "qa", buckets: [{ t: quarter, inferences: 2, errors: 0, latencyP50: 4, latencyP99: 8 }], totals: { inferences: 3, errors: 0, latencyP50: 4, latencyP99: 8 } }],
      fits: [],
    });
    expect(day.bucketMinutes).toBe(15);
    expect(day.triggers[0]!.series).toHaveLength(96);
    expect(day.triggers[0]!.series.at(-1)).toMatchObject({ t: new Date(quarter), inferences: 2, latencyP50: 4, latencyP99: 8 });
    expect(day.triggers[0]!.totals.inferences).toBe(3);
    expect(day.to.getTime() - day.from.getTime()).toBe(96 * 15 * MIN);
    expect(bucketStarts(now, 60, 1)).toHaveLength(60);
  });

  it("summarises latency and fit rate", () => {
    expect(latencySummary([3, 1, 2])).toEqual({ sample: 3, p50: 2, p99: 3 });
    expect(latencySummary([])).toEqual({ sample: 0, p50: null, p99: null });
    expect(fitRate([{ status: "succeeded", n: 9 }, { status: "failed", n: 3 }, { status: "queued", n: 4 }], 60)).toEqual({ windowMinutes: 60, succeeded: 9, failed: 3, perMinute: 0.2, successRate: 0.75 });
    expect(fitRate([], 60).successRate).toBeNull();
  });
});

describe("input guard", () => {
  it("rejects NUL, unpaired surrogates and deep nesting, with the path", () => {
    expect(checkRawInput({ a: ["ok", "b\u0000"] })).toMatchObject({ path: ["a", 1], code: "invalid_string" });
    expect(checkRawInput({ a: "\ud800x" })).toMatchObject({ path: ["a"] });
    expect(checkRawInput({ a: "\udc00" })).toMatchObject({ path: ["a"] });
    expect(checkRawInput({ a: "😀 fine" })).toBeNull();
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(checkRawInput(deep)).toMatchObject({ code: "too_big" });
    expect(checkRawInput({ ["k\u0000"]: 1 })).toMatchObject({ path: ["k\u0000"] });
    expect(checkRawInput(new Date())).toBeNull();
    // The path is the failing value's own, after siblings that passed (the walk keeps one stack).
    expect(checkRawInput({ rows: [{ t: "a", u: ["x", "y"] }, { t: "b" }, { t: "c", u: ["z", "bad\u0000"] }] })).toEqual({ path: ["rows", 2, "u", 1], message: "strings may not contain NUL characters", code: "invalid_string" });
    expect((checkRawInput(deep) as { path: unknown[] }).path).toEqual(Array(32).fill(0));
    expect(checkRawInput({ rows: Array.from({ length: 200_000 }, (_, i) => i) })).toMatchObject({ code: "too_big", message: "input is too large" });
  });
});

describe("roles", () => {
  it("orders viewer < labeler < admin; actors name keys", () => {
    expect(allows("viewer", "public")).toBe(true);
    expect(allows("viewer", "labeler")).toBe(false);
    expect(allows("labeler", "labeler")).toBe(true);
    expect(allows("admin", "admin")).toBe(true);
    expect(actorOf({ kind: "apiKey", id: "1", name: "ci", role: "viewer", ownerId: null })).toBe("apikey:ci");
    expect(actorOf({ kind: "user", id: "1", email: "a@b.c", name: "A", role: "viewer" })).toBe("a@b.c");
  });
});

describe("auth secret", () => {
  it("prefers the environment, else generates once and keeps it", async () => {
    const { resolveAuthSecret } = await import("../src/auth.ts");
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "motion-secret-")), ".motion", "auth-secret");
    expect(resolveAuthSecret({ file, env: { MOTION_AUTH_SECRET: "from-env" } })).toBe("from-env");
    const generated = resolveAuthSecret({ file, env: {} });
    expect(generated.length).toBeGreaterThanOrEqual(43);
    expect(resolveAuthSecret({ file, env: {} })).toBe(generated);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
