// state.outcomes and state.diff through the API: viewer tier, NOT_FOUND for versions that do not
// exist, BAD_REQUEST with the input path for malformed input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseFactories, openEnv, outcome, type TestEnv, failurePaths } from "./harness.ts";

const factories = await databaseFactories();


describe.each(factories)("state outcomes and diff on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  it("reports each version's outcomes and diffs two versions for a viewer", async () => {
    const labeler = env.caller("labeler");
    const viewer = env.caller("apikey-viewer");
    const asked = await labeler.rows.addMany({ relation: "questions", rows: [{ text: "one" }, { text: "two" }] });
    const inference = asked[0]!.inferences.find((i) => i.trigger === "qa")!;
    await labeler.feedback.label({ inferenceId: inference.id, label: "good" });
    await labeler.rows.addMany({ relation: "docs", rows: [{ url: "a", body: "x" }, { url: "b", body: "y" }] });
    await env.motion.flush();

    const { items, nextCursor } = await viewer.state.outcomes({ trigger: "qa", versions: [0, 2] });
    expect(nextCursor).toBeNull();
    expect(items.map((v) => v.version)).toEqual([2, 0]);
    expect(items[1]).toMatchObject({ inferences: 2, errors: 0, feedback: { good: 1, bad: 0, labeled: 1, goodRate: 1 } });
    expect(items[1]!.feedback.interval!.low).toBeCloseTo(0.2065, 4);
    expect(items[0]!.fit).toMatchObject({ relation: "docs", rowCount: 1, metrics: { docs: 1 } });
    const page = await viewer.state.outcomes({ trigger: "qa", limit: 2 });
    expect(page.items.map((v) => v.version)).toEqual([2, 1]);
    expect((await viewer.state.outcomes({ trigger: "qa", limit: 2, cursor: page.nextCursor })).items.map((v) => v.version)).toEqual([0]);

    const diff = await viewer.state.diff({ trigger: "qa", from: 2, to: 0 });
    expect(diff).toMatchObject({ direction: "back", ancestor: 0, dropped: { rows: 2, labels: 0, byRelation: { docs: 2 }, fitsTotal: 2 } });
    expect(diff.keys.find((k) => k.key === "titles")!.json!.changes).toEqual([
      { op: "remove", path: [0], from: '"a"' },
      { op: "remove", path: [1], from: '"b"' },
    ]);
    expect(diff.keys.find((k) => k.key === "vec")).toMatchObject({ change: "changed", json: null, size: { from: 12, to: 12 } });
  });

  it("refuses unknown versions with NOT_FOUND and bad input with BAD_REQUEST and its path", async () => {
    const viewer = env.caller("viewer");
    expect(await outcome(() => viewer.state.outcomes({ trigger: "qa", versions: [0, 999] }))).toBe("NOT_FOUND");
    expect(await outcome(() => viewer.state.outcomes({ trigger: "nope" }))).toBe("NOT_FOUND");
    expect(await outcome(() => viewer.state.diff({ trigger: "qa", from: 0, to: 999 }))).toBe("NOT_FOUND");
    // echo never fitted: qa's version 1 is not echo's.
    expect(await outcome(() => viewer.state.diff({ trigger: "echo", from: 1, to: 0 }))).toBe("NOT_FOUND");
    expect(await failurePaths(() => viewer.state.outcomes({ trigger: "qa", versions: [0, -1] }))).toEqual({ code: "BAD_REQUEST", paths: ["versions.1"] });
    expect(await failurePaths(() => viewer.state.outcomes({ trigger: "qa", versions: [] }))).toEqual({ code: "BAD_REQUEST", paths: ["versions"] });
    expect(await failurePaths(() => viewer.state.diff({ trigger: "qa", from: "1", to: 0 } as never))).toEqual({ code: "BAD_REQUEST", paths: ["from"] });
    expect(await failurePaths(() => env.caller("admin").state.rollback({ trigger: "qa", version: 0, reason: "x", refitLabels: "yes" } as never))).toEqual({ code: "BAD_REQUEST", paths: ["refitLabels"] });
    expect(await outcome(() => env.caller("anonymous").state.diff({ trigger: "qa", from: 0, to: 0 }))).toBe("UNAUTHORIZED");
  });

  it("reports outcomes over time per version and refuses bad ranges with their path", async () => {
    const viewer = env.caller("viewer");
    const from = new Date(Date.now() - 3_600_000);
    const over = await viewer.state.outcomesOverTime({ trigger: "qa", versions: [0], from });
    expect(over.bucket).toBe("hour");
    // The first test's two questions on v0, one labeled good, in this hour (or the one before).
    const points = over.series[0]!.points;
    expect(points.reduce((n, p) => n + p.inferences, 0)).toBe(2);
    expect(points.reduce((n, p) => n + p.feedback.good, 0)).toBe(1);
    expect(await outcome(() => viewer.state.outcomesOverTime({ trigger: "nope", versions: [0] }))).toBe("NOT_FOUND");
    expect(await outcome(() => viewer.state.outcomesOverTime({ trigger: "qa", versions: [999] }))).toBe("NOT_FOUND");
    expect(await failurePaths(() => viewer.state.outcomesOverTime({ trigger: "qa", versions: [0], from, to: new Date(from.getTime() - 1) }))).toEqual({ code: "BAD_REQUEST", paths: ["to"] });
    expect(await failurePaths(() => viewer.state.outcomesOverTime({ trigger: "qa", versions: [0], from: new Date(0) }))).toEqual({ code: "BAD_REQUEST", paths: ["from"] });
    expect(await failurePaths(() => viewer.state.outcomesOverTime({ trigger: "qa" }))).toEqual({ code: "BAD_REQUEST", paths: ["versions"] });
    expect(await failurePaths(() => viewer.state.outcomesOverTime({ trigger: "qa", versions: [0], from: "yesterday" } as never))).toEqual({ code: "BAD_REQUEST", paths: ["from"] });
  });

  it("a rollback with refitLabels reports how many labels went back to the queue", async () => {
    const moved = await env.caller("admin").state.rollback({ trigger: "qa", version: 1, reason: "try", refitLabels: true });
    // qa fits docs, not labels: nothing to re-fit.
    expect(moved).toMatchObject({ from: 2, to: 1, requeuedLabels: 0 });
  });
});
