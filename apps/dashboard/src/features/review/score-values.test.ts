import { describe, expect, it } from "vitest";
import { initialScoreText, scoreValues } from "./score-values";

const configs = { helpfulness: { kind: "numeric" as const, min: 1, max: 5 }, topic: { kind: "categorical" as const, values: ["a", "b"] }, comment: { kind: "text" as const } };

describe("score values", () => {
  it("send numbers for numeric scores and leave out untouched or empty fields", () => {
    const initial = initialScoreText({ topic: { value: "a" } });
    expect(initial).toEqual({ topic: "a" });
    expect(scoreValues(configs, { helpfulness: "4", topic: "a", comment: " " }, initial)).toEqual({ helpfulness: 4 });
    expect(scoreValues(configs, { topic: "b", comment: "fine" }, initial)).toEqual({ topic: "b", comment: "fine" });
    expect(scoreValues(configs, { helpfulness: "four" }, {})).toEqual({ helpfulness: "four" });
  });
});
