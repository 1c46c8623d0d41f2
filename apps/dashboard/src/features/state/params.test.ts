import { describe, expect, it } from "vitest";
import { diffParams, paramsDraft, paramsIssues, parseParamsDraft } from "./params";

describe("params editor", () => {
  it("round-trips the current params through the draft", () => {
    const params = { k: 4, model: "x", nested: { a: [1, 2] } };
    const parsed = parseParamsDraft(paramsDraft(params));
    expect(parsed).toEqual({ ok: true, value: params });
    expect(paramsDraft(undefined)).toBe("{}");
  });
  it("rejects text that is not a JSON object", () => {
    expect(parseParamsDraft("")).toMatchObject({ ok: false });
    expect(parseParamsDraft("{ k: 1 }")).toMatchObject({ ok: false, message: expect.stringMatching(/^Not valid JSON/) });
    expect(parseParamsDraft("[1]")).toEqual({ ok: false, message: "Params must be a JSON object, not an array" });
    expect(parseParamsDraft("null")).toEqual({ ok: false, message: "Params must be a JSON object, not null" });
    expect(parseParamsDraft("3")).toEqual({ ok: false, message: "Params must be a JSON object, not number" });
  });
  it("reports server issues relative to the params object", () => {
    const error = {
      data: {
        code: "BAD_REQUEST",
        issues: [
          { path: ["k"], message: "Too big: expected number to be <=20", index: 0 },
          { path: ["params", "x"], message: "key too long" },
          { path: ["params"], message: "expected record", index: 0 },
        ],
      },
    };
    expect(paramsIssues(error).map((i) => i.path)).toEqual([["k"], ["x"], ["params"]]);
  });
  it("lists changed top-level keys", () => {
    expect(diffParams({ k: 4, a: { b: 1 }, gone: true }, { k: 6, a: { b: 1 }, added: "y" })).toEqual([
      { key: "added", from: undefined, to: "y" },
      { key: "gone", from: true, to: undefined },
      { key: "k", from: 4, to: 6 },
    ]);
    expect(diffParams(null, {})).toEqual([]);
  });
});
