import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("safeNext", () => {
  it("keeps a path on the console, with its query and fragment", () => {
    expect(safeNext("/review/docs-qa?version=3#top")).toBe("/review/docs-qa?version=3#top");
    expect(safeNext("/")).toBe("/");
  });

  it("sends anything that could leave the site home", () => {
    for (const next of [
      undefined,
      null,
      ["/a", "//evil.example"],
      "",
      "https://evil.example/",
      "evil.example",
      "//evil.example/x",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "\\\\evil.example",
      "javascript:alert(1)",
      "/%5C%5Cevil.example".replace(/%5C/g, "\\"),
      // Dot segments that resolve to "//host".
      "/.//evil.example",
      "/%2e//evil.example",
      "/%2e%2e//evil.example",
      "/x/..//evil.example",
      "/x/%2E%2E//evil.example/y?z#w",
    ]) {
      expect(safeNext(next), String(next)).toBe("/");
    }
  });

  it("a path that only looks odd stays on the console", () => {
    expect(safeNext("/%09/evil.example")).toBe("/%09/evil.example");
    expect(safeNext("/a/../b")).toBe("/b");
  });
});
