import { describe, expect, it } from "vitest";
import type { LabeledExample } from "@motion/engine";
import { docsQa } from "../src/app.ts";
import { labelMetrics } from "../src/label-metrics.ts";

const answer = (...urls: string[]) => ({ answer: "…", sources: urls.map((url) => ({ url, title: url, section: "", chunk: "", score: 1 })) });
const example = (label: "good" | "bad", output: unknown, correction?: unknown): LabeledExample => ({ inferenceId: "i", input: { text: "q" }, output, label, correction: correction ?? null });

describe("the chatbot's evaluate (labelMetrics)", () => {
  it("is the trigger's declared evaluate", () => {
    expect(docsQa.evaluate).toBe(labelMetrics);
  });

  it("judges pages by good labels and source corrections; answer-only corrections count in the good-rate only", () => {
    const metrics = labelMetrics([
      example("good", answer("a", "b")), // right page first
      example("bad", answer("a", "a", "b", "c"), { source: "b" }), // b is the 2nd distinct page
      example("bad", answer("a", "b", "c", "d"), { source: "d" }), // 4th: outside the top 3
      example("bad", answer("a"), { source: "z" }), // never cited
      example("bad", answer("a"), { answer: "the right words" }), // says nothing of pages
    ]);
    expect(metrics).toEqual({ labeled: 5, goodRate: 0.2, judgedPages: 4, pageHitAt1: 0.25, pageHitAt3: 0.5, pageMrr: (1 + 1 / 2 + 1 / 4) / 4 });
  });

  it("leaves page metrics out when no label names a page", () => {
    expect(labelMetrics([example("bad", answer(), { answer: "x" })])).toEqual({ labeled: 1, goodRate: 0, judgedPages: 0 });
  });
});
