import { describe, expect, it } from "vitest";
import { EMPTY_FEED_FORM, feedFromForm, parseAssignees, percentDone } from "./feed-form";

describe("create-queue form", () => {
  it("turns filled fields into the feed and leaves empty ones out", () => {
    expect(feedFromForm(EMPTY_FEED_FORM)).toEqual({ filter: { labeled: false }, maxItems: 1000 });
    expect(feedFromForm({ ...EMPTY_FEED_FORM, labelState: "bad", version: "3", minLatencyMs: "200", text: " refund ", sampling: "share", share: "5", seed: "s1", maxItems: "" }))
      .toEqual({ filter: { label: "bad", version: 3, minLatencyMs: 200, text: "refund" }, sample: { share: 0.05, seed: "s1" } });
    expect(feedFromForm({ ...EMPTY_FEED_FORM, labelState: "any", sampling: "count", count: "50" })).toEqual({ filter: {}, sample: { count: 50, seed: "motion" }, maxItems: 1000 });
  });
  it("parses assignees and progress", () => {
    expect(parseAssignees("a@x.com, b@x.com;a@x.com\nc@x.com")).toEqual(["a@x.com", "b@x.com", "c@x.com"]);
    expect(percentDone({ total: 0, pending: 0 })).toBe(0);
    expect(percentDone({ total: 8, pending: 2 })).toBe(75);
  });
});
