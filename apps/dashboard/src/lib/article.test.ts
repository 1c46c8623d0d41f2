import { describe, expect, it } from "vitest";
import { WithArticle, withArticle } from "./article";

describe("indefinite article", () => {
  it("says an admin, a viewer, a labeler", () => {
    expect(["admin", "viewer", "labeler"].map(WithArticle)).toEqual(["An admin", "A viewer", "A labeler"]);
    expect(withArticle("admin")).toBe("an admin");
  });
});
