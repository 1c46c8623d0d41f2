// Experiments through the API: candidate, shadow settings, shadow rows, promote/abort, and
// bad input (share outside 0..1, unknown version) as 4xx naming the input path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseFactories, openEnv, outcome, type TestEnv, failurePaths } from "./harness.ts";

const factories = await databaseFactories();


describe.each(factories)("experiments API on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
    await env.caller("labeler").rows.addMany({ relation: "docs", rows: [{ url: "a", body: "x" }] });
    await env.motion.flush();
    await env.caller("admin").state.rollback({ trigger: "qa", version: 0, reason: "set up a candidate" });
  });
  afterAll(async () => env?.close());

  it("sets a candidate, shadows it, lists differing rows and promotes, all recorded", async () => {
    const admin = env.caller("admin");
    const viewer = env.caller("viewer");
    expect(await admin.experiments.setCandidate({ trigger: "qa", version: 1, reason: "with doc a" })).toEqual({ trigger: "qa", from: null, to: 1 });
    expect(await admin.experiments.settings({ trigger: "qa", shadow: { share: 1 } })).toMatchObject({ candidate: 1, active: 0, shadow: { share: 1 }, canary: { share: 0 }, source: "runtime" });
    const asked = await env.caller("labeler").rows.addMany({ relation: "questions", rows: [{ text: "one" }, { text: "two" }] });
    expect(asked.every((r) => r.inferences.every((i) => i.stateVersion === 0))).toBe(true);
    await env.motion.shadow.idle();
    const rows = await viewer.experiments.shadowRows({ trigger: "qa", limit: 10 });
    expect(rows.items).toHaveLength(2);
    expect(rows.items[0]).toMatchObject({ active: { version: 0 }, candidate: { version: 1 } });
    const summary = await viewer.experiments.shadowSummary({ trigger: "qa", version: 1 });
    expect(summary.shadowed).toBe(2);

    expect(await admin.experiments.promote({ trigger: "qa", reason: "looks fine" })).toEqual({ trigger: "qa", from: 0, to: 1, pinned: false });
    expect(await viewer.experiments.get({ trigger: "qa" })).toMatchObject({ active: 1, candidate: null });
    const history = await viewer.experiments.history({ trigger: "qa" });
    expect(history.items.map((e) => [e.fromVersion, e.toVersion, e.reason])).toEqual([[1, null, "looks fine"], [null, 1, "with doc a"]]);
    // The active/latest history stays as it was (no cleared candidate in it).
    const moves = await viewer.state.aliasHistory({ trigger: "qa", moves: "operator" });
    expect(moves.items.every((m) => m.alias === "active")).toBe(true);
    expect(await outcome(() => admin.experiments.abort({ trigger: "qa", reason: "none left" }))).toBe("CONFLICT");
    expect(await outcome(() => viewer.experiments.promote({ trigger: "qa", reason: "x" }))).toBe("FORBIDDEN");
  });

  it("refuses shares outside 0..1 and unknown versions with their paths", async () => {
    const admin = env.caller("admin");
    expect(await failurePaths(() => admin.experiments.settings({ trigger: "qa", shadow: { share: 1.5 } }))).toEqual({ code: "BAD_REQUEST", paths: ["shadow.share"] });
    expect(await failurePaths(() => admin.experiments.settings({ trigger: "qa", canary: { share: -1 } }))).toEqual({ code: "BAD_REQUEST", paths: ["canary.share"] });
    expect(await failurePaths(() => admin.experiments.settings({ trigger: "qa", rule: { name: "q", minLabels: 0, confidence: 0.95 } }))).toEqual({ code: "BAD_REQUEST", paths: ["rule.minLabels"] });
    expect(await outcome(() => admin.experiments.setCandidate({ trigger: "qa", version: 999 }))).toBe("NOT_FOUND");
    expect(await failurePaths(() => admin.experiments.setCandidate({ trigger: "qa", version: -1 }))).toEqual({ code: "BAD_REQUEST", paths: ["version"] });
    expect(await outcome(() => admin.experiments.get({ trigger: "nope" }))).toBe("NOT_FOUND");
  });
});

describe.each(factories)("params variants through the API on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  it("adds, weighs and removes variants; a caller names one; the inference carries its params hash", async () => {
    const admin = env.caller("admin");
    const viewer = env.caller("viewer");
    expect(await viewer.experiments.variants({ trigger: "qa" })).toMatchObject({ source: "declared", default: { name: "default", params: { prefix: "A: " }, weight: 1 }, variants: [] });
    const added = await admin.experiments.addVariant({ trigger: "qa", name: "terse", params: { prefix: "" }, weight: 0.25 });
    expect(added).toMatchObject({ source: "runtime", default: { weight: 0.75 }, variants: [{ name: "terse", overrides: { prefix: "" }, params: { prefix: "" }, weight: 0.25 }] });
    const [named] = await env.caller("labeler").rows.addMany({ relation: "questions", rows: [{ text: "hi" }], variants: { qa: "terse" } });
    expect(named!.inferences[0]).toMatchObject({ output: { answer: "HI" }, paramsHash: added.variants[0]!.hash });
    const plain = await env.caller("labeler").rows.add({ relation: "questions", row: { text: "hi" }, variants: { qa: "default" } });
    expect(plain.inferences[0]).toMatchObject({ output: { answer: "A: HI" }, paramsHash: added.default.hash });
    expect((await admin.experiments.setVariantWeights({ trigger: "qa", weights: { terse: 1 } })).default.weight).toBe(0);
    expect((await admin.experiments.removeVariant({ trigger: "qa", name: "terse" })).variants).toEqual([]);
    expect(await outcome(() => viewer.experiments.addVariant({ trigger: "qa", name: "x", params: { prefix: "" } }))).toBe("FORBIDDEN");
    expect(await outcome(() => env.caller("labeler").experiments.removeVariant({ trigger: "qa", name: "x" }))).toBe("FORBIDDEN");
  });

  it("refuses clashes, unknown variants, bad params and weights with 4xx naming the path", async () => {
    const admin = env.caller("admin");
    await admin.experiments.addVariant({ trigger: "qa", name: "loud", params: { prefix: "!! " }, weight: 0.5 });
    expect(await failurePaths(() => admin.experiments.addVariant({ trigger: "qa", name: "loud", params: { prefix: "?? " } }))).toEqual({ code: "BAD_REQUEST", paths: ["name"] });
    expect(await failurePaths(() => admin.experiments.addVariant({ trigger: "qa", name: "num", params: { prefix: 5 } }))).toEqual({ code: "BAD_REQUEST", paths: ["params.prefix"] });
    expect(await failurePaths(() => admin.experiments.addVariant({ trigger: "qa", name: "big", params: { prefix: "> " }, weight: 2 }))).toEqual({ code: "BAD_REQUEST", paths: ["weight"] });
    expect(await failurePaths(() => admin.experiments.addVariant({ trigger: "qa", name: "more", params: { prefix: "> " }, weight: 0.6 }))).toEqual({ code: "BAD_REQUEST", paths: ["weight"] });
    expect(await failurePaths(() => admin.experiments.setVariantWeights({ trigger: "qa", weights: { nope: 0.1 } }))).toEqual({ code: "BAD_REQUEST", paths: ["weights.nope"] });
    expect(await failurePaths(() => admin.experiments.setVariantWeights({ trigger: "qa", weights: { loud: 1.2 } }))).toEqual({ code: "BAD_REQUEST", paths: ["weights.loud"] });
    expect(await outcome(() => admin.experiments.removeVariant({ trigger: "qa", name: "nope" }))).toBe("NOT_FOUND");
    expect(await failurePaths(() => env.caller("labeler").rows.add({ relation: "questions", row: { text: "q" }, variants: { qa: "nope" } }))).toEqual({ code: "BAD_REQUEST", paths: ["variants.qa"] });
    expect(await failurePaths(() => env.caller("labeler").rows.addMany({ relation: "questions", rows: [{ text: "q" }], variants: { ghost: "loud" } }))).toEqual({ code: "BAD_REQUEST", paths: ["variants.ghost"] });
  });
});
