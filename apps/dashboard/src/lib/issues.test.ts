import { describe, expect, it } from "vitest";
import { errorCode, formatPath, inputIssues, issuesByField } from "./issues";

describe("input issues", () => {
  it("reads code and issues from a tRPC error shape", () => {
    const error = { message: "bad", data: { code: "BAD_REQUEST", issues: [{ path: ["email"], message: "Invalid email", code: "invalid_format" }, { path: ["k"], message: "Too big", index: 0 }] } };
    expect(errorCode(error)).toBe("BAD_REQUEST");
    expect(inputIssues(error)).toEqual([{ path: ["email"], message: "Invalid email" }, { path: ["k"], message: "Too big", index: 0 }]);
  });
  it("tolerates errors without issues", () => {
    expect(inputIssues(new Error("x"))).toEqual([]);
    expect(inputIssues({ data: { issues: null } })).toEqual([]);
    expect(inputIssues(null)).toEqual([]);
    expect(errorCode(null)).toBeUndefined();
    expect(inputIssues({ data: { issues: [42, { path: "nope" }] } })).toEqual([{ path: [], message: "invalid" }]);
  });
  it("formats paths like property accessors", () => {
    expect(formatPath([])).toBe("(whole value)");
    expect(formatPath(["a"])).toBe("a");
    expect(formatPath(["a", 0, "b"])).toBe("a[0].b");
    expect(formatPath([2, "x"])).toBe("[2].x");
  });
  it("groups issues by their first field, keeping the first message", () => {
    expect(issuesByField([{ path: ["email"], message: "one" }, { path: ["email"], message: "two" }, { path: [], message: "whole" }, { path: [0], message: "idx" }])).toEqual({ email: "one", "": "whole" });
  });
});
