import { describe, expect, it } from "vitest";
import { diffJson } from "../../src/index.ts";

describe("diffJson", () => {
  it("lists object keys added, removed and changed, recursively, in key order", () => {
    const d = diffJson({ a: 1, b: { c: "x", d: [1] }, gone: true }, { a: 2, b: { c: "x", d: [1], e: null }, fresh: "y" });
    expect(d).toEqual({
      truncated: false,
      changes: [
        { op: "change", path: ["a"], from: "1", to: "2" },
        { op: "add", path: ["b", "e"], to: "null" },
        { op: "add", path: ["fresh"], to: '"y"' },
        { op: "remove", path: ["gone"], from: "true" },
      ],
    });
  });

  it("aligns arrays by content: an insertion is one add, an edited element shows its inner change", () => {
    const before = [{ id: 1, t: "a" }, { id: 2, t: "b" }, { id: 3, t: "c" }];
    const after = [{ id: 0, t: "new" }, { id: 1, t: "a" }, { id: 2, t: "B" }, { id: 3, t: "c" }];
    expect(diffJson(before, after).changes).toEqual([
      { op: "add", path: [0], to: '{"id":0,"t":"new"}' },
      { op: "change", path: [2, "t"], from: '"b"', to: '"B"' },
    ]);
    expect(diffJson([1, 2, 3], [1, 3]).changes).toEqual([{ op: "remove", path: [1], from: "2" }]);
  });

  it("is empty for equal values whatever the key order", () => {
    expect(diffJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toEqual({ changes: [], truncated: false });
  });

  it("is bounded: at most maxChanges entries and previews cut to previewChars", () => {
    const d = diffJson(Array.from({ length: 50 }, (_, i) => i), Array.from({ length: 50 }, (_, i) => i + 1000), { maxChanges: 5 });
    expect(d.changes).toHaveLength(5);
    expect(d.truncated).toBe(true);
    const long = diffJson({ a: "x".repeat(500) }, { a: "y" }, { previewChars: 20 });
    expect(long.changes[0]!.from).toHaveLength(20);
    expect(long.changes[0]!.from!.endsWith("…")).toBe(true);
  });

  it("compares long arrays by index", () => {
    const a = Array.from({ length: 10 }, (_, i) => i);
    const d = diffJson(a, [...a.slice(0, 9), 99, 100], { alignLimit: 5 });
    expect(d.changes).toEqual([
      { op: "change", path: [9], from: "9", to: "99" },
      { op: "add", path: [10], to: "100" },
    ]);
  });
});
