import { describe, expect, it } from "vitest";
import { EMPTY_FILTER, inferenceListInput, isFiltered, parseInferenceFilter, serializeInferenceFilter } from "./filters";

describe("inference filters in the URL", () => {
  it("round-trips every field through the query string", () => {
    const f = { text: "refund policy", trigger: "docs-qa", version: 3, label: "bad" as const, labeledBy: "ana@example.com", minMs: 5, maxMs: 250, outcome: "ok" as const, open: "inf1" };
    expect(parseInferenceFilter(new URLSearchParams(serializeInferenceFilter(f)))).toEqual(f);
    expect(serializeInferenceFilter(EMPTY_FILTER)).toBe("");
  });

  it("drops values it cannot use instead of failing", () => {
    expect(parseInferenceFilter({ v: "-1", minMs: "fast", maxMs: "", label: "maybe", outcome: "?", q: "   " })).toEqual(EMPTY_FILTER);
    expect(parseInferenceFilter({ v: "2.5" }).version).toBeNull();
    expect(parseInferenceFilter({ q: "x".repeat(900) }).text).toHaveLength(500);
  });

  it("turns the filter into the list input; swapped latency bounds are put in order", () => {
    expect(inferenceListInput(EMPTY_FILTER)).toEqual({ limit: 50 });
    expect(inferenceListInput({ ...EMPTY_FILTER, label: "unlabeled", outcome: "errors", minMs: 300, maxMs: 10, text: "x" })).toEqual({
      limit: 50, labeled: false, errors: true, minLatencyMs: 10, maxLatencyMs: 300, text: "x",
    });
    expect(inferenceListInput({ ...EMPTY_FILTER, label: "good", labeledBy: "bo" })).toEqual({ limit: 50, label: "good", labeledBy: "bo" });
  });

  it("an open panel alone is not a filter", () => {
    expect(isFiltered({ ...EMPTY_FILTER, open: "x" })).toBe(false);
    expect(isFiltered({ ...EMPTY_FILTER, outcome: "errors" })).toBe(true);
  });
});
