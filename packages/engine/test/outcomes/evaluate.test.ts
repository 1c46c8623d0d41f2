import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineApp, Motion, relation, trigger, type LabeledExample } from "../../src/index.ts";
import { run } from "@motion/db";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

// A ranker: infer ranks three pages; a fit moves the page its rows name to the front.
const queries = relation("queries", { schema: z.object({ q: z.string() }) });
const promote = relation("promote", { schema: z.object({ page: z.string() }) });
const ranked = (e: LabeledExample) => (e.output as { pages: string[] }).pages;
/** hit@1 / hit@2 of the page a correction names (good labels: the first page was right). */
function hits(examples: LabeledExample[]) {
  const judged = examples.map((e) => ({ pages: ranked(e), right: e.label === "good" ? ranked(e)[0]! : (e.correction as { page?: string } | null)?.page ?? null })).filter((j) => j.right !== null);
  const at = (k: number) => judged.filter((j) => j.pages.slice(0, k).includes(j.right!)).length / judged.length;
  return { judged: judged.length, hitAt1: at(1), hitAt2: at(2) };
}
const ranker = trigger("ranker", {
  setUp: () => ({ pages: ["a", "b", "c"] }),
  routes: [
    { relation: queries, infer: ({ state }) => ({ pages: state.pages }) },
    { relation: promote, fit: ({ state, rows }) => ({ pages: [rows[0]!.data.page, ...(state.pages as string[]).filter((p) => p !== rows[0]!.data.page)] }), batchSize: 1, maxWaitMs: 0 },
  ],
  evaluate: hits,
});
const broken = trigger("broken", {
  routes: [{ relation: queries, infer: () => ({ pages: [] }) }],
  evaluate: (examples) => ({ n: examples.length, bad: Number.NaN }),
});
const plain = trigger("plain", { routes: [{ relation: queries, infer: () => "ok" }] });
const app = defineApp({ name: "evaluate-app", relations: [queries, promote], triggers: [ranker, broken, plain] });

describe.each(factories)("evaluate on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.cleanup();
  });

  async function open() {
    const db = await makeDatabase();
    databases.push(db);
    return Motion.open({ app, databaseUrl: db.url, fitIn: "inline" });
  }

  const inferenceOf = (r: { inferences: { trigger: string; id: string }[] }, t: string) => r.inferences.find((i) => i.trigger === t)!.id;

  it("computes the trigger's metrics per version from the latest labels of the outputs it served", async () => {
    const motion = await open();
    try {
      // Version 0 ranks a, b, c. Four labeled questions: a was right twice, b once, c once.
      const v0 = await Promise.all(["q1", "q2", "q3", "q4", "q5"].map((q) => motion.add("queries", { q })));
      await motion.feedback(inferenceOf(v0[0]!, "ranker"), { label: "good", actor: "ann" });
      await motion.feedback(inferenceOf(v0[1]!, "ranker"), { label: "bad", correction: { page: "b" }, actor: "ann" });
      await motion.feedback(inferenceOf(v0[2]!, "ranker"), { label: "bad", correction: { page: "c" }, actor: "ann" });
      // Relabeled: the later label (good) is the one that counts.
      await motion.feedback(inferenceOf(v0[3]!, "ranker"), { label: "bad", correction: { page: "c" }, actor: "ann" });
      await motion.feedback(inferenceOf(v0[3]!, "ranker"), { label: "good", actor: "bob" });
      // A bad label without a page says nothing of the ranking: evaluate leaves it out itself.
      await motion.feedback(inferenceOf(v0[4]!, "ranker"), { label: "bad", actor: "ann" });
      // Version 1 ranks c first; two labeled questions, both naming c.
      await motion.add("promote", { page: "c" });
      await motion.flush();
      expect(motion.activeVersion("ranker")).toBe(1);
      const v1 = await Promise.all(["q6", "q7"].map((q) => motion.add("queries", { q })));
      await motion.feedback(inferenceOf(v1[0]!, "ranker"), { label: "good", actor: "ann" });
      await motion.feedback(inferenceOf(v1[1]!, "ranker"), { label: "bad", correction: { page: "c" }, actor: "ann" });

      const result = await motion.evaluate("ranker", { versions: [1, 0] });
      expect(result.declared).toBe(true);
      expect(result.versions).toEqual([
        { version: 1, examples: 2, metrics: { judged: 2, hitAt1: 1, hitAt2: 1 }, error: null },
        // q1 a (hit), q2 b (hit@2), q3 c (miss), q4 good (hit); q5 not judged.
        { version: 0, examples: 5, metrics: { judged: 4, hitAt1: 0.5, hitAt2: 0.75 }, error: null },
      ]);
      // The newest `limit` labels only.
      const few = await motion.evaluate("ranker", { versions: [0], limit: 2 });
      expect(few.versions[0]!.examples).toBe(2);
    } finally {
      await motion.close();
    }
  });

  it("reports a failing evaluate, counts examples without one, and refuses bad input", async () => {
    const motion = await open();
    try {
      const r = await motion.add("queries", { q: "x" });
      await motion.feedback(inferenceOf(r, "broken"), { label: "good", actor: "ann" });
      await motion.feedback(inferenceOf(r, "plain"), { label: "bad", actor: "ann" });
      expect((await motion.evaluate("broken", { versions: [0] })).versions).toEqual([{ version: 0, examples: 1, metrics: null, error: expect.stringContaining("metric bad must be a finite number") }]);
      expect(await motion.evaluate("plain", { versions: [0] })).toEqual({ trigger: "plain", declared: false, versions: [{ version: 0, examples: 1, metrics: null, error: null }] });
      expect(await motion.evaluate("ranker", { versions: [0] })).toMatchObject({ versions: [{ version: 0, examples: 0, metrics: null }] });
      await expect(motion.evaluate("ranker", { versions: [7] })).rejects.toMatchObject({ name: "NotFoundError" });
      await expect(motion.evaluate("ranker", { versions: [0, -1] })).rejects.toMatchObject({ name: "ValidationError", issues: [{ path: ["versions", 1] }] });
      await expect(motion.evaluate("ranker", { versions: [] })).rejects.toMatchObject({ issues: [{ path: ["versions"] }] });
      await expect(motion.evaluate("ranker", { versions: [0], limit: 0 })).rejects.toMatchObject({ issues: [{ path: ["limit"] }] });
    } finally {
      await motion.close();
    }
  });

  it("finds a version's labels through its commit time, tolerating an hour of clock skew between processes", async () => {
    const motion = await open();
    try {
      const rows = await Promise.all(["q1", "q2"].map((q) => motion.add("queries", { q })));
      for (const r of rows) await motion.feedback(inferenceOf(r, "ranker"), { label: "good", actor: "ann" });
      expect((await motion.evaluate("ranker", { versions: [0] })).versions[0]!.examples).toBe(2);
      // The committing process's clock ran 50 minutes ahead of the serving one's.
      await motion.db.tx(() => run(`UPDATE "StateVersion" SET "createdAt" = ? WHERE "trigger" = 'ranker' AND "version" = 0`, [new Date(Date.now() + 50 * 60_000)]));
      expect((await motion.evaluate("ranker", { versions: [0] })).versions[0]).toMatchObject({ examples: 2, metrics: { judged: 2, hitAt1: 1 } });
    } finally {
      await motion.close();
    }
  });
});
