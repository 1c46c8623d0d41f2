import { describe, expect, it } from "vitest";
import { evaluationRows } from "./evaluation";

describe("evaluationRows", () => {
  it("lists every metric of either version in first-seen order, with the change where both have it", () => {
    const rows = evaluationRows(
      { version: 1, examples: 4, metrics: { hitAt1: 0.5, judged: 4 }, error: null },
      { version: 2, examples: 2, metrics: { hitAt1: 1, extra: 3 }, error: null },
    );
    expect(rows).toEqual([
      { metric: "hitAt1", a: 0.5, b: 1, delta: 0.5 },
      { metric: "judged", a: 4, b: null, delta: null },
      { metric: "extra", a: null, b: 3, delta: null },
    ]);
  });

  it("is empty when neither version has metrics", () => {
    expect(evaluationRows({ version: 1, examples: 0, metrics: null, error: null }, undefined)).toEqual([]);
  });
});
