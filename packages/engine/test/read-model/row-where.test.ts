import { describe, expect, it } from "vitest";
import { storage } from "@motion/db";
import { whereRows, type RowQuery } from "../../src/read-model/row-query.ts";

describe("row filter SQL", () => {
  it("binds every value and field; only the structure is in the SQL text", () => {
    const evil = `x" OR 1=1 --`;
    for (const provider of ["sqlite", "postgresql"] as const) {
      const query = { relation: "r", filter: [{ field: "a", op: "eq", value: evil }, { field: "b", op: "gt", value: 3 }, { field: "c", op: "contains", value: evil }], from: new Date(0), to: new Date(1000) } satisfies RowQuery;
      const { sql, parameters } = whereRows(provider, storage.selectFrom("Row").select("id"), query, "cursor").compile();
      expect(sql).not.toContain(evil);
      expect(sql.split("?").length - 1).toBe(parameters.length);
      expect(parameters).toContain("cursor");
    }
  });
});
