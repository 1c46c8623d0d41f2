import { describe, expect, it } from "vitest";
import { parseRowsView, rowsListInput, rowsViewParamsOf, rowsViewState, serializeRowsView, timeWindow } from "./url";

describe("rows view URL state", () => {
  it("round-trips columns, filters, range and the open row", () => {
    const search = "?cols=question,answer&f=question~contains~how+to&f=score~gt~3&range=1h&row=r1";
    const state = parseRowsView(new URLSearchParams(search));
    expect(state).toEqual({
      cols: ["question", "answer"],
      filters: [
        { field: "question", op: "contains", value: "how to" },
        { field: "score", op: "gt", value: "3" },
      ],
      range: "1h",
      from: null,
      to: null,
      row: "r1",
    });
    expect(parseRowsView(new URLSearchParams(serializeRowsView(state)))).toEqual(state);
  });

  it("drops malformed filters and unknown ranges", () => {
    const state = parseRowsView({ f: ["a~bogus~1", "b~eq~x~y"], range: "3y" });
    expect(state.filters).toEqual([{ field: "b", op: "eq", value: "x~y" }]);
    expect(state.range).toBe("all");
  });

  it("treats from/to without a range as custom", () => {
    const state = parseRowsView({ from: "2026-01-01T00:00:00.000Z" });
    expect(state.range).toBe("custom");
    expect(timeWindow(state)).toEqual({ from: new Date("2026-01-01T00:00:00.000Z") });
  });

  it("rounds presets to the minute so server and client agree", () => {
    const now = Date.UTC(2026, 0, 1, 12, 30, 42);
    const input = rowsListInput("questions", parseRowsView({ range: "15m" }), now);
    expect(input).toEqual({ relation: "questions", limit: 50, from: new Date(Date.UTC(2026, 0, 1, 12, 15, 0)) });
    expect(rowsListInput("q", parseRowsView({}))).toEqual({ relation: "q", limit: 50 });
  });

  it("leaves defaults out of the URL and keeps a custom range's bounds only with it", () => {
    expect(serializeRowsView(parseRowsView({}))).toBe("");
    const custom = parseRowsView({ range: "custom", from: "2026-01-01T00:00:00.000Z", to: "2026-01-02T00:00:00.000Z" });
    expect(parseRowsView(new URLSearchParams(serializeRowsView(custom)))).toEqual(custom);
    const preset = parseRowsView({ range: "24h", from: "2026-01-01T00:00:00.000Z" });
    expect(preset).toMatchObject({ range: "24h", from: null, to: null });
    expect(serializeRowsView(preset)).toBe("?range=24h");
  });

  it("the table's params (useQueryStates) map to the same view the server page reads", () => {
    const state = parseRowsView(new URLSearchParams("?f=a~eq~1&cols=a&row=r9"));
    expect(rowsViewState(rowsViewParamsOf(state))).toEqual(state);
    expect(rowsViewParamsOf({ ...state, filters: [] })).toMatchObject({ f: [], range: null, from: null, to: null });
  });
});
