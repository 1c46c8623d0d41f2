import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all } from "@motion/db";
import { ConflictError, Motion, NotFoundError, trigger, ValidationError } from "../src/index.ts";
import { insertItems, insertQueue } from "../src/review-queue/queue-store.ts";
import { questions, scoredApp } from "./fixtures/scored-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();
const LOCK = { lockMs: 60_000 };
const ana = { holder: "user:ana", holderName: "ana@example.com", ...LOCK };
const bo = { holder: "user:bo", holderName: "bo@example.com", ...LOCK };

describe("score configs", () => {
  it("are checked when the trigger is defined", () => {
    const routes = [{ relation: questions, infer: () => null }];
    expect(() => trigger("t", { scores: { x: { kind: "numeric", min: 5, max: 1 } }, routes })).toThrow(/score x: min is above max/);
    expect(() => trigger("t", { scores: { x: { kind: "categorical", values: [] } }, routes })).toThrow(/needs values/);
    expect(() => trigger("t", { scores: { "bad name": { kind: "text" } }, routes })).toThrow(/names are letters/);
    expect(() => trigger("t", { scores: { x: { kind: "stars" } as never }, routes })).toThrow(/kind must be/);
    expect(trigger("t", { routes }).scores).toEqual({});
  });
});

describe.each(factories)("review queues and scores on %s", (_name, makeDatabase) => {
  let db: TestDatabase;
  let motion: Motion;
  let ids: string[];

  beforeAll(async () => {
    db = await makeDatabase();
    motion = await Motion.open({ app: scoredApp, databaseUrl: db.url });
    const added = await motion.addMany("questions", Array.from({ length: 40 }, (_, i) => ({ text: `q${i} ${i % 2 ? "refund" : "parcel"}` })));
    ids = added.map((a) => a.inferences[0]!.id);
  });

  afterAll(async () => {
    await motion?.close();
    await db?.cleanup();
  });

  it("validate score values naming the path, write nothing for a bad batch, keep the latest with actor and time", async () => {
    const id = ids[0]!;
    const bad = await motion.score(id, { scores: { helpfulness: 9, topic: "billing" }, actor: "ana@example.com" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).issues).toEqual([expect.objectContaining({ path: ["scores", "helpfulness"], code: "too_big" })]);
    for (const [scores, path] of [
      [{ topic: "weather" }, ["scores", "topic"]],
      [{ helpfulness: 2.5 }, ["scores", "helpfulness"]],
      [{ comment: "x".repeat(51) }, ["scores", "comment"]],
      [{ mood: "ok" }, ["scores", "mood"]],
    ] as const) {
      const error = await motion.score(id, { scores, actor: "ana@example.com" }).catch((e: unknown) => e);
      expect((error as ValidationError).issues[0]?.path).toEqual(path);
    }
    expect((await motion.inference(id)).scores).toEqual({});
    await motion.score(id, { scores: { helpfulness: 4, topic: "billing" }, actor: "ana@example.com" });
    await motion.score(id, { scores: { helpfulness: 5, comment: "clear" }, actor: "bo@example.com" });
    const { scores } = await motion.inference(id);
    expect(scores.helpfulness).toMatchObject({ value: 5, actor: "bo@example.com" });
    expect(scores.topic).toMatchObject({ value: "billing", actor: "ana@example.com" });
    expect(scores.comment?.createdAt).toBeInstanceOf(Date);
    await motion.score(id, { scores: { comment: null }, actor: "bo@example.com" });
    expect((await motion.inference(id)).scores.comment).toBeUndefined();
    await expect(motion.score("nope", { scores: {}, actor: "a" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("a queue from a filter holds the matching inferences; seeded samples are reproducible", async () => {
    const refunds = await motion.queues.create({ name: "refunds", trigger: "answer", feed: { filter: { text: "refund" } }, createdBy: "admin@example.com" }, { wait: true });
    expect(refunds).toMatchObject({ status: "ready", trigger: "answer" });
    const ready = (await motion.queues.get(refunds.id))!;
    expect(ready.status).toBe("ready");
    expect(ready.progress).toEqual({ total: 20, pending: 20, done: 0, skipped: 0 });

    const a = await motion.queues.create({ name: "sample a", trigger: "answer", feed: { sample: { count: 7, seed: "s1" } }, createdBy: "admin" }, { wait: true });
    const b = await motion.queues.create({ name: "sample b", trigger: "answer", feed: { sample: { count: 7, seed: "s1" } }, createdBy: "admin" }, { wait: true });
    const c = await motion.queues.create({ name: "sample c", trigger: "answer", feed: { sample: { count: 7, seed: "other" } }, createdBy: "admin" }, { wait: true });
    const order = async (queueId: string) => {
      const out: string[] = [];
      for (;;) {
        const next = await motion.queues.next(queueId, { holder: "user:walker", holderName: "walker", lockMs: 60_000 });
        if (!next) return out;
        out.push(next.inference.id);
        await motion.queues.skip(queueId, next.inference.id, { actor: "walker", holder: "user:walker" });
      }
    };
    const inA = await order(a.id);
    expect(inA).toHaveLength(7);
    expect(await order(b.id)).toEqual(inA);
    expect(await order(c.id)).not.toEqual(inA);
    const share = await motion.queues.create({ name: "share", trigger: "answer", feed: { sample: { share: 0.5, seed: "s1" }, maxItems: 100 }, createdBy: "admin" }, { wait: true });
    const total = (await motion.queues.get(share.id))!.progress.total;
    expect(total).toBeGreaterThan(5);
    expect(total).toBeLessThan(35);

    const invalid = await motion.queues.create({ name: "x", trigger: "answer", feed: { sample: { share: 2, seed: "s" } }, createdBy: "admin" }).catch((e: unknown) => e);
    expect((invalid as ValidationError).issues[0]?.path).toEqual(["feed", "sample", "share"]);
    await expect(motion.queues.create({ name: "refunds", trigger: "answer", createdBy: "admin" })).rejects.toBeInstanceOf(ConflictError);
    await expect(motion.queues.create({ name: "y", trigger: "nope", createdBy: "admin" })).rejects.toThrow(/nope/);
  });

  it("two labelers racing a queue never get the same item; progress adds up", async () => {
    const queue = await motion.queues.create({ name: "race", trigger: "answer", feed: { filter: { labeled: false }, maxItems: 12 }, assignees: ["ana@example.com", "bo@example.com"], createdBy: "admin" }, { wait: true });
    const seen = new Map<string, string>();
    const work = async (who: typeof ana, label: "good" | "bad") => {
      for (;;) {
        const next = await motion.queues.next(queue.id, who);
        if (!next) return;
        const id = next.inference.id;
        expect(seen.get(id), `item ${id} handed to two labelers`).toBeUndefined();
        seen.set(id, who.holderName);
        await motion.queues.complete(queue.id, id, { actor: who.holderName, holder: who.holder, label, scores: { helpfulness: 3 } });
      }
    };
    await Promise.all([work(ana, "good"), work(bo, "bad")]);
    expect(seen.size).toBe(12);
    const byAna = [...seen.values()].filter((v) => v === ana.holderName).length;
    expect(byAna).toBeGreaterThan(0);
    expect(byAna).toBeLessThan(12);
    const done = (await motion.queues.get(queue.id))!;
    expect(done.progress).toEqual({ total: 12, pending: 0, done: 12, skipped: 0 });
    // Each item carries its label and score.
    const one = await motion.inference([...seen.keys()][0]!);
    expect(one.feedback).toHaveLength(1);
    expect(one.scores.helpfulness?.value).toBe(3);
  });

  it("refuses completing an item another labeler holds; a label from browse mode finishes it in the queue", async () => {
    const queue = await motion.queues.create({ name: "locks", trigger: "answer", feed: { filter: { labeled: false }, maxItems: 3 }, createdBy: "admin" }, { wait: true });
    const held = (await motion.queues.next(queue.id, ana))!;
    const stolen = await motion.queues.complete(queue.id, held.inference.id, { actor: bo.holderName, holder: bo.holder, scores: { helpfulness: 1 } }).catch((e: unknown) => e);
    expect(stolen).toBeInstanceOf(ConflictError);
    expect((await motion.queues.next(queue.id, bo))!.inference.id).not.toBe(held.inference.id);
    await motion.feedback(held.inference.id, { label: "good", actor: ana.holderName, holder: ana.holder });
    expect((await motion.queues.get(queue.id))!.progress).toMatchObject({ done: 1, pending: 2 });
    await expect(motion.queues.complete(queue.id, ids[0]!, { actor: "x", label: "good" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(motion.queues.complete(queue.id, held.inference.id, { actor: "x" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("lists assigned queues first, updates assignees, exports scores as columns", async () => {
    const mine = (await motion.queues.list({ actor: "ana@example.com" })).items;
    expect(mine[0]?.name).toBe("race");
    expect((await motion.queues.list({ actor: "ana@example.com", assignedOnly: true })).items).toHaveLength(1);
    // Pages of one keep the order: the actor's queues, then the others, each newest first.
    const walked = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor !== null; pages++) {
      const page = await motion.queues.list({ actor: "ana@example.com", limit: 1, cursor });
      walked.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(walked.map((q) => q.id)).toEqual(mine.map((q) => q.id));
    await expect(motion.queues.list({ actor: "ana@example.com", cursor: "nowhere" })).rejects.toBeInstanceOf(ValidationError);
    const updated = await motion.queues.update(mine[0]!.id, { assignees: ["cy@example.com"], description: "hard ones" });
    expect(updated).toMatchObject({ assignees: ["cy@example.com"], description: "hard ones" });
    expect((await motion.queues.list({ actor: "ana@example.com", assignedOnly: true })).items).toHaveLength(0);

    const csv = await motion.exportLabels({ trigger: "answer", format: "csv", limit: 100 });
    const [header, ...lines] = csv.content.split("\r\n");
    expect(header).toMatch(/,correction,score\.helpfulness,score\.topic,score\.comment$/);
    expect(lines.filter((l) => /,3,,$/.test(l))).toHaveLength(12);
    const jsonl = await motion.exportLabels({ trigger: "answer", format: "jsonl", limit: 100 });
    const records = jsonl.content.trim().split("\n").map((l) => JSON.parse(l) as { scores: Record<string, unknown> });
    expect(records.filter((r) => r.scores.helpfulness === 3)).toHaveLength(12);
    expect(await motion.queues.remove(updated.id)).toBe(true);
    expect(await motion.queues.get(updated.id)).toBeUndefined();
  });

  it("an item assigned to one labeler goes only to them; unassigned, to anyone", async () => {
    const queue = await motion.queues.create({ name: "per item", trigger: "answer", feed: { filter: { labeled: false }, maxItems: 3 }, assignees: [ana.holderName, bo.holderName], createdBy: "admin" }, { wait: true });
    const items = (await motion.db.read(() => all<{ inferenceId: string }>(`SELECT "inferenceId" FROM "ReviewQueueItem" WHERE "queueId" = ? ORDER BY "position"`, [queue.id]))).map((i) => i.inferenceId);
    expect(items).toHaveLength(3);
    // The first item (the one anyone would get next) is bo's.
    await motion.queues.assignItem(queue.id, items[0]!, bo.holderName);
    const byAna: string[] = [];
    for (let next = await motion.queues.next(queue.id, ana); next; next = await motion.queues.next(queue.id, ana)) {
      byAna.push(next.inference.id);
      await motion.queues.complete(queue.id, next.inference.id, { actor: ana.holderName, holder: ana.holder, label: "good" });
    }
    expect(byAna).toEqual(items.slice(1));
    expect((await motion.queues.next(queue.id, bo))!.inference.id).toBe(items[0]);
    await motion.queues.skip(queue.id, items[0]!, { actor: bo.holderName, holder: bo.holder });

    // Given back to anyone: a second queue over the same item, assigned then unassigned.
    const again = await motion.queues.create({ name: "per item again", trigger: "answer", feed: { filter: { labeled: false }, maxItems: 1 }, createdBy: "admin" }, { wait: true });
    const [only] = (await motion.db.read(() => all<{ inferenceId: string }>(`SELECT "inferenceId" FROM "ReviewQueueItem" WHERE "queueId" = ?`, [again.id]))).map((i) => i.inferenceId);
    await motion.queues.assignItem(again.id, only!, bo.holderName);
    expect(await motion.queues.next(again.id, ana)).toBeNull();
    await motion.queues.assignItem(again.id, only!, null);
    expect((await motion.queues.next(again.id, ana))!.inference.id).toBe(only);
    await expect(motion.queues.assignItem(again.id, ids[0]!, bo.holderName)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("each queue's kept item counts equal a count of its items after completes, skips, browse labels and row deletions", async () => {
    const queue = await motion.queues.create({ name: "counted", trigger: "answer", feed: { filter: {}, maxItems: 12 }, createdBy: "admin" }, { wait: true });
    const items = (await motion.db.read(() => all<{ inferenceId: string }>(`SELECT "inferenceId" FROM "ReviewQueueItem" WHERE "queueId" = ? ORDER BY "position"`, [queue.id]))).map((i) => i.inferenceId);
    const first = await motion.queues.next(queue.id, ana);
    await motion.queues.complete(queue.id, first!.inference.id, { actor: ana.holderName, holder: ana.holder, label: "bad" });
    const second = await motion.queues.next(queue.id, ana);
    await motion.queues.skip(queue.id, second!.inference.id, { actor: ana.holderName, holder: ana.holder });
    // A label from browse mode finishes the item in every queue holding it.
    const browsed = items.find((id) => id !== first!.inference.id && id !== second!.inference.id)!;
    await motion.feedback(browsed, { label: "good", actor: "carl" });
    // Deleting rows removes their items from every queue (a pending one and a done one).
    const rowOf = async (inferenceId: string) => (await motion.db.read(() => all<{ rowId: string }>(`SELECT "rowId" FROM "Inference" WHERE "id" = ?`, [inferenceId])))[0]!.rowId;
    const pendingOne = items.find((id) => ![first!.inference.id, second!.inference.id, browsed].includes(id))!;
    await motion.deleteRow(await rowOf(pendingOne), { actor: "ops", reason: "test" });
    await motion.deleteRow(await rowOf(first!.inference.id), { actor: "ops", reason: "test" });

    const counted = await motion.db.read(() => all<{ queueId: string; status: string; n: unknown }>(`SELECT "queueId", "status", COUNT(*) AS "n" FROM "ReviewQueueItem" GROUP BY "queueId", "status"`));
    const expected = new Map<string, { total: number; pending: number; done: number; skipped: number }>();
    for (const c of counted) {
      const e = expected.get(c.queueId) ?? { total: 0, pending: 0, done: 0, skipped: 0 };
      e[c.status as "pending" | "done" | "skipped"] += Number(c.n);
      e.total += Number(c.n);
      expected.set(c.queueId, e);
    }
    const queues = (await motion.queues.list()).items;
    expect(queues.length).toBeGreaterThan(1);
    for (const q of queues) expect(q.progress, q.name).toEqual(expected.get(q.id) ?? { total: 0, pending: 0, done: 0, skipped: 0 });
    expect(queues.find((q) => q.id === queue.id)!.progress).toEqual({ total: 10, pending: 8, done: 1, skipped: 1 });
  });
  it("a fill left unfinished by a stopped process is resumed by one process, keeping the items already in", async () => {
    const itemsOf = async (queueId: string) =>
      (await motion.db.read(() => all<{ inferenceId: string }>(`SELECT "inferenceId" FROM "ReviewQueueItem" WHERE "queueId" = ? ORDER BY "position"`, [queueId]))).map((i) => i.inferenceId);
    const feed = { filter: { text: "refund" }, maxItems: 1000 };
    const reference = await motion.queues.create({ name: "refunds, filled whole", trigger: "answer", feed, createdBy: "admin" }, { wait: true });
    const want = await itemsOf(reference.id);
    expect(want.length).toBeGreaterThan(10);
    const other = await Motion.open({ app: scoredApp, databaseUrl: db.url });
    try {
      await other.queues.resumeStaleFills(); // the one its open started: nothing to do yet
      // What a process that died mid-fill leaves: the queue still filling, its lease run out,
      // five of its items in. And a queue another live process is filling (lease ahead).
      const past = new Date(Date.now() - 1_000);
      await motion.db.tx(function* () {
        yield* insertQueue({ id: "left-filling", name: "half filled", trigger: "answer", description: null, feed, createdBy: "admin", assignees: [], now: past, leaseUntil: past });
        yield* insertItems("left-filling", want.slice(0, 5), 0);
        yield* insertQueue({ id: "filling-elsewhere", name: "filling elsewhere", trigger: "answer", description: null, feed, createdBy: "admin", assignees: [], now: past, leaseUntil: new Date(Date.now() + 60_000) });
      });
      expect((await motion.queues.get("left-filling"))!.progress.total).toBe(5);
      // Two processes look at once: exactly one takes the fill over.
      const [a, b] = await Promise.all([motion.queues.resumeStaleFills(), other.queues.resumeStaleFills()]);
      expect(a + b).toBe(1);
      await Promise.all([motion.queues.filled("left-filling"), other.queues.filled("left-filling")]);
    } finally {
      await other.close();
    }
    const resumed = (await motion.queues.get("left-filling"))!;
    expect(resumed).toMatchObject({ status: "ready", error: null });
    expect(resumed.progress).toEqual({ total: want.length, pending: want.length, done: 0, skipped: 0 });
    expect(await itemsOf("left-filling")).toEqual(want);
    expect((await motion.queues.get("filling-elsewhere"))!.status).toBe("filling");
    expect(await motion.queues.resumeStaleFills()).toBe(0);
  });
});
