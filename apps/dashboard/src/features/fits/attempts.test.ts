import { describe, expect, it } from "vitest";
import { logSummary, runTimeline, type RunHistoryInput } from "./attempts";

const base: RunHistoryInput = {
  status: "succeeded", deadLettered: false, attempts: 1, maxAttempts: 3, finishedAt: "2026-12-04T10:05:00Z", startedAt: "2026-12-04T10:04:59Z",
  durationMs: 12, producedVersion: 4, logs: null, failedAttempts: [], retries: [],
};

describe("runTimeline", () => {
  it("orders failures and retries by time and ends with the success", () => {
    const t = runTimeline({
      ...base,
      attempts: 1,
      failedAttempts: [
        { id: "b", attempt: 2, outcome: "timeout", error: "slow", errorStack: null, logs: null, owner: "h:1:x", durationMs: 500, at: "2026-12-04T10:02:00Z" },
        { id: "a", attempt: 1, outcome: "failed", error: "boom", errorStack: "Error: boom", logs: { entries: [{ at: 1, level: "info", msg: "hi" }], dropped: 0 }, owner: "h:1:x", durationMs: 3, at: "2026-12-04T10:01:00Z" },
      ],
      retries: [{ actor: "ops@x", reason: "fixed the data", at: "2026-12-04T10:03:00Z" }],
      logs: { entries: [{ at: 2, level: "warn", msg: "ok" }], dropped: 0 },
    });
    expect(t.map((i) => i.kind)).toEqual(["failed", "failed", "retry", "succeeded"]);
    expect(t[0]).toMatchObject({ kind: "failed", attempt: 1, error: "boom" });
    expect(t[1]).toMatchObject({ kind: "failed", attempt: 2, outcome: "timeout" });
    expect(t[2]).toMatchObject({ kind: "retry", actor: "ops@x", reason: "fixed the data" });
    expect(t[3]).toMatchObject({ kind: "succeeded", attempt: 1, producedVersion: 4, logs: { entries: [{ msg: "ok" }] } });
  });

  it("puts a failure before a retry made at the same instant", () => {
    const at = "2026-12-04T10:01:00Z";
    const t = runTimeline({
      ...base, status: "queued", attempts: 0,
      retries: [{ actor: "a", reason: null, at }],
      failedAttempts: [{ id: "a", attempt: 3, outcome: "died", error: "gone", errorStack: null, logs: null, owner: null, durationMs: null, at }],
    });
    expect(t.map((i) => i.kind)).toEqual(["failed", "retry", "pending"]);
    expect(t[2]).toMatchObject({ kind: "pending", status: "queued", attempt: 1, maxAttempts: 3 });
  });

  it("ends a dead-lettered run with its last failure", () => {
    const t = runTimeline({
      ...base, status: "failed", deadLettered: true, attempts: 3,
      failedAttempts: [1, 2, 3].map((n) => ({ id: String(n), attempt: n, outcome: "failed" as const, error: `e${n}`, errorStack: null, logs: null, owner: null, durationMs: 1, at: `2026-12-04T10:0${n}:00Z` })),
    });
    expect(t.map((i) => (i.kind === "failed" ? i.attempt : i.kind))).toEqual([1, 2, 3]);
  });
});

describe("logSummary", () => {
  it("counts by level, most severe first, and says what was dropped", () => {
    expect(logSummary(null)).toBe("");
    expect(logSummary({ entries: [{ at: 1, level: "info", msg: "a" }, { at: 2, level: "error", msg: "b" }, { at: 3, level: "info", msg: "c" }], dropped: 5 })).toBe("1 error · 2 info · 5 more not kept");
  });
});
