// The "unlabeled" filter when nearly every inference is labeled: the Review page's list and the
// trigger-wide review queue read the maintained Inference.labeled flag through the index
// (trigger, labeled, id) instead of walking labeled inferences. Shown by the query plan on a
// realistically sized table (no full scan, no sort), and by the flag and the label tallies
// (the page's progress counts) following labels and label deletions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { all, insertIngest, newId, run, type InferenceInsert, type RowInsert } from "@motion/db";
import { Motion, defineApp, relation, trigger } from "../../src/index.ts";
import { inferencePageQuery } from "../../src/read-model/inference-search.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

const asks = relation("asks", { schema: z.object({ text: z.string() }) });
const answer = trigger("answer", { setUp: () => ({}), cache: false, routes: [{ relation: asks, infer: ({ row }) => ({ reply: row.data.text }) }] });
const app = defineApp({ name: "unlabeled-app", relations: [asks], triggers: [answer] });

const TOTAL = 60_000;
const UNLABELED_EVERY = 3_000; // 20 unlabeled inferences spread over the table
const BATCH = 2_000;

describe.each(factories)("the unlabeled filter on %s", (name, makeDatabase) => {
  let db: TestDatabase;
  let motion: Motion;
  const unlabeled: string[] = [];
  beforeAll(async () => {
    db = await makeDatabase();
    motion = await Motion.open({ app, databaseUrl: db.url, runFits: false });
    const start = Date.now() - TOTAL;
    for (let done = 0; done < TOTAL; done += BATCH) {
      const rows: RowInsert[] = [];
      const inferences: InferenceInsert[] = [];
      for (let i = done; i < done + BATCH; i++) {
        const createdAt = new Date(start + i);
        const rowId = newId(start + i);
        const id = newId(start + i);
        rows.push({ id: rowId, relation: "asks", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt, data: JSON.stringify({ text: `q${i}` }) });
        inferences.push({ id, rowId, relation: "asks", trigger: "answer", route: "asks", output: JSON.stringify({ reply: `q${i}` }), error: null, stateVersion: 0, paramsHash: "p", inputHash: `h${i}`, latencyMs: 1, cached: false, createdAt });
        if (i % UNLABELED_EVERY === 0) unlabeled.push(id);
      }
      await motion.db.tx(() => insertIngest(rows, inferences, []));
    }
    // Every other inference gets a label the way a bulk import would (rows written directly, flag set with them).
    const keep = unlabeled;
    await motion.db.tx(function* () {
      yield* run(
        `INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "actor", "createdAt") SELECT i."id", i."id", i."rowId", 'good', 'seed', i."createdAt" FROM "Inference" i WHERE i."id" NOT IN (${keep.map(() => "?").join(", ")})`,
        keep,
      );
      yield* run(`UPDATE "Inference" SET "labeled" = TRUE WHERE "id" NOT IN (${keep.map(() => "?").join(", ")})`, keep);
      // The label tallies, as the label_tally migration backfills them.
      yield* run(`INSERT INTO "LabelTally" ("trigger", "actor", "label", "labels") SELECT i."trigger", f."actor", f."label", COUNT(*) FROM "Feedback" f JOIN "Inference" i ON i."id" = f."inferenceId" GROUP BY i."trigger", f."actor", f."label"`);
      yield* run(`INSERT INTO "LabeledTally" ("trigger", "labeled") SELECT "trigger", COUNT(*) FROM "Inference" WHERE "labeled" = TRUE GROUP BY "trigger"`);
      yield* run(`ANALYZE`);
    });
    unlabeled.reverse(); // newest first, as pages list them
  }, 180_000);
  afterAll(async () => {
    await motion?.close();
    await db?.cleanup();
  });

  it("lists exactly the unlabeled inferences, newest first, a page at a time", async () => {
    const first = await motion.searchInferences({ trigger: "answer", labeled: false, limit: 15 });
    expect(first.items.map((i) => i.id)).toEqual(unlabeled.slice(0, 15));
    const rest = await motion.searchInferences({ trigger: "answer", labeled: false, limit: 15, cursor: first.nextCursor });
    expect(rest.items.map((i) => i.id)).toEqual(unlabeled.slice(15));
    expect(rest.nextCursor).toBeNull();
  });

  it("plans the unlabeled page as a range of the (trigger, labeled, id) index: no full scan, no sort", async () => {
    for (const search of [
      { trigger: "answer", labeled: false, limit: 31 },
      { trigger: "answer", labeled: false, limit: 31, cursor: unlabeled[10] },
      { trigger: "answer", labeled: false, version: 0, limit: 31 },
    ]) {
      const { sql, params } = inferencePageQuery(search);
      if (name === "sqlite") {
        const plan = await motion.db.read(() => all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params));
        const details = plan.map((p) => p.detail);
        expect(details.some((d) => /SEARCH i USING INDEX Inference_trigger_labeled_id_idx \(trigger=\? AND labeled=/.test(d)), details.join("\n")).toBe(true);
        expect(details.some((d) => /^SCAN /.test(d) || /TEMP B-TREE/.test(d)), details.join("\n")).toBe(false);
      } else {
        const plan = await motion.db.read(() => all<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params));
        const text = plan.map((p) => p["QUERY PLAN"]).join("\n");
        expect(text).toMatch(/Index (Only )?Scan Backward using "?Inference_trigger_labeled_id_idx"? on "?Inference"?/);
        expect(text).not.toMatch(/Seq Scan|Sort/);
      }
    }
  });

  it("follows labels: a label sets the flag, deleting the label's row clears it, and the review queue hands out only unlabeled items", async () => {
    const target = unlabeled[0]!;
    const seeded = { labeled: TOTAL - unlabeled.length, byActor: [{ actor: "seed", label: "good", n: TOTAL - unlabeled.length }] };
    expect((await motion.reviewProgress("answer")).counts).toMatchObject(seeded);
    const stored = await motion.feedback(target, { label: "bad", actor: "ana@example.com" });
    // A second label on the same inference counts for its labeler, not as another labeled inference.
    const again = await motion.feedback(target, { label: "good", actor: "bo@example.com" });
    expect((await motion.reviewProgress("answer")).counts).toMatchObject({
      labeled: seeded.labeled + 1,
      byActor: [{ actor: "ana@example.com", label: "bad", n: 1 }, { actor: "bo@example.com", label: "good", n: 1 }, ...seeded.byActor],
    });
    let page = await motion.searchInferences({ trigger: "answer", labeled: false, limit: 50 });
    expect(page.items.map((i) => i.id)).not.toContain(target);
    const flag = async () => Number((await motion.db.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Inference" WHERE "id" = ? AND "labeled" = TRUE`, [target])))[0]!.n);
    expect(await flag()).toBe(1);

    // Deleting the row that mirrors the label (a data-removal request) removes the label: unlabeled again.
    await motion.deleteRow(stored.rowId, { actor: "admin", reason: "test" });
    expect(await flag()).toBe(1); // bo's label remains
    await motion.deleteRow(again.rowId, { actor: "admin", reason: "test" });
    expect((await motion.reviewProgress("answer")).counts).toMatchObject(seeded);
    page = await motion.searchInferences({ trigger: "answer", labeled: false, limit: 50 });
    expect(page.items[0]!.id).toBe(target);
    expect(await flag()).toBe(0);

    const next = await motion.reviewNext({ trigger: "answer", filter: "unlabeled", exclude: [], holder: "h1", holderName: "ana", lockMs: 60_000 });
    expect(unlabeled).toContain(next!.inference.id);
    expect(next!.inference.feedback).toEqual([]);
  });
});
