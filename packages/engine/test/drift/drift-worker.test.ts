import { afterEach, describe, expect, it } from "vitest";
import { createAccumulator, detectSeries, mergeProfileJSON, summarize } from "../../src/drift/index.ts";
import { DriftWorker } from "../../src/drift/drift-worker.ts";
import { DEFAULT_PROFILE_OPTIONS } from "../../src/drift/profile-options.ts";

/** Two profile rows per day (as two ingest batches would store them); day 20 shifts `amount`. */
function days(n: number) {
  let seed = 3;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  return Array.from({ length: n }, (_, d) => {
    const partition = new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
    const parts = [0, 1].map(() => {
      const acc = createAccumulator();
      for (let r = 0; r < 80; r++) acc.add({ amount: (d === 20 ? 40 : 10) + random() * 2, kind: random() < 0.5 ? "a" : "b" });
      return acc.toJSON();
    });
    return { partition, parts };
  });
}

describe("drift computation in a worker thread", () => {
  const workers: DriftWorker[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
  });

  it("merges, summarises and judges as in this thread, and as detectSeries does", async () => {
    const data = days(30);
    const results = [];
    for (const thread of [true, false]) {
      const w = new DriftWorker(thread);
      workers.push(w);
      // JSON text, as SQLite returns it, for one part; parsed objects, as PostgreSQL does, for the other.
      const compactions = await w.load({
        relation: "r", options: DEFAULT_PROFILE_OPTIONS,
        partitions: data.map((d) => ({ partition: d.partition, ids: [`${d.partition}-a`, `${d.partition}-b`], profiles: [JSON.stringify(d.parts[0]), d.parts[1]!] })),
      });
      expect(compactions).toHaveLength(30);
      expect(compactions[0]).toMatchObject({ partition: data[0]!.partition, ids: [`${data[0]!.partition}-a`, `${data[0]!.partition}-b`], rows: 160 });
      expect(JSON.parse(compactions[0]!.merged).rows).toBe(160);
      expect((await w.known("r")).get(data[5]!.partition)).toBe(160);
      const judged = await w.judge({ relation: "r", detect: { window: 30 }, valid: [], candidates: data.map((d) => d.partition) });
      results.push(judged);
    }
    const [threaded, local] = results;
    expect(threaded).toEqual(local);
    const flagged = threaded!.filter((j) => j.verdict.status === "drift").map((j) => j.partition);
    expect(flagged).toEqual([data[20]!.partition]);
    // The same verdicts as judging the merged summaries in one series (flagged ones leave the history).
    const merged = data.map((d) => ({ partition: d.partition, summary: summarize(mergeProfileJSON(d.parts[0]!, d.parts[1]!)) }));
    expect(detectSeries(merged, { window: 30 }).map((v) => v.status)).toEqual(threaded!.map((j) => j.verdict.status));
    // One column's statistic per partition, for the charts.
    const series = await workers[0]!.series("r", data.map((d) => d.partition), "amount", "mean");
    expect(series).toHaveLength(30);
    expect(series[20]![1]).toBeGreaterThan(35);
  });

  it("a slice judged later sees the history the caller passes (an operator's decision included)", async () => {
    const data = days(30);
    const w = new DriftWorker(true);
    workers.push(w);
    await w.load({ relation: "r", options: DEFAULT_PROFILE_OPTIONS, partitions: data.map((d) => ({ partition: d.partition, ids: ["x"], profiles: [d.parts[0]!] })) });
    const first = await w.judge({ relation: "r", detect: { window: 30 }, valid: [], candidates: data.slice(0, 20).map((d) => d.partition) });
    const valid = first.filter((j) => j.verdict.status !== "drift").map((j) => j.partition);
    // Day 20 marked valid by an operator: it joins the history, so day 21 is judged against it.
    const [day20] = await w.judge({ relation: "r", detect: { window: 30 }, valid, candidates: [data[20]!.partition] });
    expect(day20!.verdict.status).toBe("drift");
    const [after] = await w.judge({ relation: "r", detect: { window: 30 }, valid: [...valid, data[20]!.partition], candidates: [data[21]!.partition] });
    expect(after!.verdict.history).toBe(21);
  });

  it("a closed worker refuses calls; summaries live in the thread that made them", async () => {
    const w = new DriftWorker(true);
    await w.load({ relation: "r", options: DEFAULT_PROFILE_OPTIONS, partitions: days(1).map((d) => ({ partition: d.partition, ids: ["x"], profiles: [d.parts[0]!] })) });
    expect((await w.known("r")).size).toBe(1);
    await w.close();
    await expect(w.known("r")).rejects.toThrow(/closed/);
  });
});
