import { describe, expect, it } from "vitest";
import { correctionDraft, parseCorrection, reviewListInput } from "./filters";

describe("review filters", () => {
  it("maps the label filter and version to inferences.list input", () => {
    expect(reviewListInput("answer", "unlabeled", "all")).toEqual({ trigger: "answer", limit: 30, labeled: false });
    expect(reviewListInput("answer", "bad", "3")).toEqual({ trigger: "answer", limit: 30, label: "bad", version: 3 });
    expect(reviewListInput("answer", "all", "x")).toEqual({ trigger: "answer", limit: 30 });
  });
  it("edits corrections as text and maps them back onto the output's shape", () => {
    const out = { answer: "Paris", sources: ["a"] };
    expect(correctionDraft(out)).toBe("Paris");
    expect(parseCorrection("Lyon", out)).toEqual({ answer: "Lyon", sources: ["a"] });
    expect(parseCorrection("hi", "hello")).toBe("hi");
    expect(parseCorrection('{"a":1}', { a: 2 })).toEqual({ a: 1 });
    expect(parseCorrection("not json", [1])).toBe("not json");
  });
});
