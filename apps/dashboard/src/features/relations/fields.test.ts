import { describe, expect, it } from "vitest";
import { filterValue, isValidFilterValue, mergeSampledFields, schemaFields } from "./fields";
import { parseRowsView, rowsListInput } from "./url";

describe("relation fields for filters", () => {
  it("reads field types from a JSON Schema, optional and nullable members included", () => {
    const schema = {
      type: "object",
      properties: {
        amount: { type: "number" },
        count: { type: "integer" },
        note: { anyOf: [{ type: "string" }, { type: "null" }] },
        paid: { type: "boolean" },
        meta: {},
      },
    };
    expect(schemaFields(schema)).toEqual({ amount: "number", count: "number", note: "string", paid: "boolean", meta: "other" });
    expect(schemaFields(undefined)).toEqual({});
  });

  it("adds sampled fields, keeps known ones, and returns the same object when nothing is new", () => {
    const known = schemaFields({ properties: { amount: { type: "number" } } });
    const merged = mergeSampledFields(known, [{ data: { amount: 3, extra: 1 } }, { data: { extra: 2.5, mixed: "a" } }, { data: { mixed: 1 } }]);
    expect(merged).toEqual({ amount: "number", extra: "number", mixed: "other" });
    expect(mergeSampledFields(merged, [{ data: { amount: 1 } }])).toBe(merged);
    // A filter that matches nothing loads no rows: the fields already known stay.
    expect(mergeSampledFields(merged, [])).toBe(merged);
  });

  it("sends a number for a number field and text otherwise", () => {
    expect(filterValue("20", "number")).toBe(20);
    expect(filterValue(" 2.5 ", "number")).toBe(2.5);
    expect(filterValue("20", "string")).toBe("20");
    expect(filterValue("20", undefined)).toBe("20");
    expect(filterValue("abc", "number")).toBe("abc");
    expect(isValidFilterValue("abc", "number")).toBe(false);
    expect(isValidFilterValue("-3", "number")).toBe(true);
    expect(isValidFilterValue("", "string")).toBe(false);
  });

  it("types the API input's filter values by the relation's fields", () => {
    const view = parseRowsView(new URLSearchParams("f=amount~gt~20&f=code~eq~20"));
    const input = rowsListInput("payments", view, undefined, { amount: "number", code: "string" });
    expect(input.filter).toEqual([
      { field: "amount", op: "gt", value: 20 },
      { field: "code", op: "eq", value: "20" },
    ]);
  });
});
