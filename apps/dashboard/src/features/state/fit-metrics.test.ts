import { describe, expect, it } from "vitest";
import { metricSeries } from "./fit-metrics";

describe("fit metrics across versions", () => {
  it("makes one series per route and metric, ordered by version, with the latest change", () => {
    const series = metricSeries([
      { route: "feedback", producedVersion: 4, metrics: { accuracy: 0.8, loss: 0.3 } },
      { route: "feedback", producedVersion: 2, metrics: { accuracy: 0.6, loss: 0.5, note: "x" as unknown as number } },
      { route: "documents", producedVersion: 3, metrics: { chunks: 120 } },
      { route: "feedback", producedVersion: null, metrics: { accuracy: 0.1 } }, // failed: produced nothing
      { route: "documents", producedVersion: 1, metrics: null },
    ]);
    expect(series.map((s) => s.name)).toEqual(["accuracy", "loss", "chunks"]);
    const accuracy = series[0]!;
    expect(accuracy.points).toEqual([{ version: 2, value: 0.6 }, { version: 4, value: 0.8 }]);
    expect(accuracy.latest).toBe(0.8);
    expect(accuracy.change).toBeCloseTo(0.2);
    expect(series[2]!.change).toBeNull();
  });

  it("names a metric by its route when two routes report it", () => {
    const series = metricSeries([
      { route: "a", producedVersion: 1, metrics: { rows: 1 } },
      { route: "b", producedVersion: 2, metrics: { rows: 2 } },
    ]);
    expect(series.map((s) => s.name).sort()).toEqual(["a · rows", "b · rows"]);
  });
});
