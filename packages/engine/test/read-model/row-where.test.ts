import { describe, expect, it } from "vitest";
import { rowWhere } from "../../src/read-model/row-query.ts";

describe("row filter SQL", () => {
  it("binds every value and field; only the structure is in the SQL text", () => {
    const evil = `x" OR 1=1 --`;
    for (const provider of ["sqlite", "postgresql"] as const) {
      const where = rowWhere(provider, { relation: "r", filter: [{ field: "a", op: "eq", value: evil }, { field: "b", op: "gt", value: 3 }, { field: "c", op: "contains", value: evil }], from: new Date(0), to: new Date(1000) }, "cursor");
      const sql = where.clauses.join(" AND ");
      expect(sql).not.toContain(evil);
      expect(sql.split("?").length - 1).toBe(where.params.length);
      expect(where.params).toContain("cursor");
    }
  });
});
