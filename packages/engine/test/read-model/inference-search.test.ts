// Searching inferences: text in the input or the output, filters, keyset pages, and a bounded
// scan that says how far back it looked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Motion, NotFoundError, defineApp, relation, trigger } from "../../src/index.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

const asks = relation("asks", { schema: z.object({ text: z.string(), slow: z.boolean().default(false), fail: z.boolean().default(false) }) });
const answer = trigger("answer", {
  setUp: () => ({}),
  cache: false,
  routes: [
    {
      relation: asks,
      infer: async ({ row }) => {
        if (row.data.fail) throw new Error("no answer for that");
        if (row.data.slow) await new Promise((resolve) => setTimeout(resolve, 30));
        return { reply: `About ${row.data.text.split(" ").at(-1)}: see the Guide` };
      },
    },
  ],
});
const app = defineApp({ name: "search-app", relations: [asks], triggers: [answer] });

describe.each(factories)("searching inferences on %s", (_name, makeDatabase) => {
  let db: TestDatabase;
  let motion: Motion;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    db = await makeDatabase();
    motion = await Motion.open({ app, databaseUrl: db.url, runFits: false });
    const add = async (name: string, row: { text: string; slow?: boolean; fail?: boolean }) => {
      const added = await motion.add("asks", row);
      ids[name] = added.inferences[0]!.id;
    };
    await add("rollback", { text: "How do I roll back a version" });
    await add("percent", { text: "Is 100% of traffic served by v2_final" });
    await add("slow", { text: "Why are answers slow sometimes", slow: true });
    await add("fail", { text: "Trigger an error please", fail: true });
    for (let i = 0; i < 30; i++) await add(`filler${i}`, { text: `filler question number ${i}` });
    await motion.feedback(ids.rollback!, { label: "good", actor: "ana@example.com" });
    await motion.feedback(ids.slow!, { label: "bad", actor: "bo@example.com" });
  });
  afterAll(async () => {
    await motion?.close();
    await db?.cleanup();
  });

  it("finds text in the input or in the output, case-insensitively, with input and labels", async () => {
    const inInput = await motion.searchInferences({ text: "ROLL BACK", limit: 10 });
    expect(inInput.items.map((i) => i.id)).toEqual([ids.rollback]);
    expect(inInput.items[0]).toMatchObject({ input: { text: "How do I roll back a version" }, feedback: [{ label: "good", actor: "ana@example.com" }], trigger: "answer" });
    const inOutput = await motion.searchInferences({ text: "see the guide", limit: 50 });
    expect(inOutput.items).toHaveLength(33); // every answer but the failed one
    expect(inOutput).toMatchObject({ nextCursor: null, searchedBack: null });
  });

  it("takes % and _ literally", async () => {
    expect((await motion.searchInferences({ text: "100%", limit: 10 })).items.map((i) => i.id)).toEqual([ids.percent]);
    expect((await motion.searchInferences({ text: "v2_f", limit: 10 })).items.map((i) => i.id)).toEqual([ids.percent]);
    expect((await motion.searchInferences({ text: "%%", limit: 10 })).items).toEqual([]);
  });

  it("filters by labeler, label, latency and errors", async () => {
    expect((await motion.searchInferences({ labeledBy: "bo@example.com", limit: 10 })).items.map((i) => i.id)).toEqual([ids.slow]);
    expect((await motion.searchInferences({ label: "good", limit: 10 })).items.map((i) => i.id)).toEqual([ids.rollback]);
    const slow = await motion.searchInferences({ minLatencyMs: 25, limit: 10 });
    expect(slow.items.map((i) => i.id)).toContain(ids.slow);
    expect(slow.items.every((i) => i.latencyMs >= 25)).toBe(true);
    const failed = await motion.searchInferences({ errors: true, limit: 10 });
    expect(failed.items.map((i) => i.id)).toEqual([ids.fail]);
    expect(failed.items[0]!.error).toContain("no answer for that");
    expect((await motion.searchInferences({ errors: false, limit: 100 })).items).toHaveLength(33);
    expect((await motion.searchInferences({ text: "filler", labeled: true, limit: 10 })).items).toEqual([]);
  });

  it("pages newest first with a keyset cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Motion["searchInferences"]>> = await motion.searchInferences({ text: "filler", limit: 7, cursor });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it("pages through a label filter (walked by the labels, not the inferences)", async () => {
    for (let i = 0; i < 12; i++) await motion.feedback(ids[`filler${i}`]!, { label: i % 3 ? "good" : "bad", actor: i % 2 ? "ana@example.com" : "cy@example.com" });
    const good: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Motion["searchInferences"]>> = await motion.searchInferences({ label: "good", limit: 3, cursor });
      good.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    const expected = [ids.rollback!, ...Array.from({ length: 12 }, (_, i) => i).filter((i) => i % 3).map((i) => ids[`filler${i}`]!)].sort().reverse();
    expect(good).toEqual(expected);
    const anaGood = await motion.searchInferences({ label: "good", labeledBy: "ana@example.com", trigger: "answer", limit: 50 });
    expect(anaGood.items.every((i) => i.feedback.some((f) => f.label === "good" && f.actor === "ana@example.com"))).toBe(true);
    expect(anaGood.items.map((i) => i.id).sort()).toEqual([ids.rollback!, ...[1, 5, 7, 11].map((i) => ids[`filler${i}`]!)].sort());
    expect((await motion.searchInferences({ labeled: true, limit: 100 })).items).toHaveLength(14);
  });

  it("a text search looks at a bounded window and says how far back; the next page goes on from there", async () => {
    // Newest 10 inferences are fillers 20..29: "rollback" is older than the window.
    const first = await motion.searchInferences({ text: "roll back", limit: 5, scanWindow: 10 });
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    expect(first.searchedBack).toBeInstanceOf(Date);
    let cursor = first.nextCursor;
    const found: string[] = [];
    while (cursor) {
      const next = await motion.searchInferences({ text: "roll back", limit: 5, scanWindow: 10, cursor });
      found.push(...next.items.map((i) => i.id));
      cursor = next.nextCursor;
    }
    expect(found).toEqual([ids.rollback]);
  });

  it("names an unknown trigger or relation, and an unknown inference", async () => {
    await expect(motion.searchInferences({ trigger: "nope", limit: 5 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(motion.searchInferences({ relation: "nope", limit: 5 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(motion.inference("nope")).rejects.toBeInstanceOf(NotFoundError);
    expect((await motion.inference(ids.rollback!)).input).toEqual({ text: "How do I roll back a version", slow: false, fail: false });
  });
});
