// Named review queues and scores through tRPC: admins curate, labelers work (no collisions),
// viewers read; bad input is a 400 naming the path (zod's or the engine's), a held item 409.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseFactories, failure, openEnv, type TestEnv, failurePaths } from "./harness.ts";

const factories = await databaseFactories();


describe.each(factories)("queues api on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
    await env.caller("labeler").rows.addMany({ relation: "questions", rows: Array.from({ length: 10 }, (_, i) => ({ text: `question ${i}` })) });
  });
  afterAll(async () => env?.close());

  it("admin creates a queue; labeler and the labeler key work it without collisions; progress adds up", async () => {
    const admin = env.caller("admin");
    const queue = await admin.queues.create({ name: "first ten", trigger: "qa", feed: { filter: { labeled: false }, maxItems: 6 }, assignees: [env.emails.labeler] });
    expect(queue).toMatchObject({ status: "ready", progress: { total: 6, pending: 6 } });
    const mine = await env.caller("labeler").queues.list({ mine: true });
    expect(mine.items.map((q) => q.name)).toEqual(["first ten"]);
    expect(mine.items[0]!.assignedToMe).toBe(true);
    expect((await env.caller("viewer").queues.list()).items).toHaveLength(1);

    const seen = new Set<string>();
    const work = async (who: "labeler" | "apikey-labeler") => {
      const caller = env.caller(who);
      for (;;) {
        const next = await caller.queues.next({ queueId: queue.id });
        if (!next) return;
        expect(seen.has(next.inference.id)).toBe(false);
        seen.add(next.inference.id);
        await caller.queues.complete({ queueId: queue.id, inferenceId: next.inference.id, label: "good", scores: { helpfulness: 4, tone: "friendly" } });
      }
    };
    await Promise.all([work("labeler"), work("apikey-labeler")]);
    expect(seen.size).toBe(6);
    expect((await env.caller("viewer").queues.get({ id: queue.id })).progress).toEqual({ total: 6, pending: 0, done: 6, skipped: 0 });
    const item = await env.caller("viewer").inferences.get({ id: [...seen][0]! });
    expect(item.scores).toMatchObject({ helpfulness: { value: 4 }, tone: { value: "friendly" } });
  });

  it("answers bad input with 400 and the path, a held item with 409, an unknown queue with 404", async () => {
    const admin = env.caller("admin");
    expect(await failurePaths(() => admin.queues.create({ name: "", trigger: "qa" }))).toEqual({ code: "BAD_REQUEST", paths: ["name"] });
    expect(await failurePaths(() => admin.queues.create({ name: "s", trigger: "qa", feed: { sample: { share: 3, seed: "x" } } }))).toMatchObject({ code: "BAD_REQUEST", paths: ["feed.sample.share"] });
    expect(await failurePaths(() => admin.queues.create({ name: "s", trigger: "qa", feed: { filter: { minLatencyMs: -1 } } }))).toMatchObject({ code: "BAD_REQUEST", paths: ["feed.filter.minLatencyMs"] });
    expect((await failure(() => admin.queues.create({ name: "first ten", trigger: "qa" }))).code).toBe("CONFLICT");
    expect((await failure(() => admin.queues.create({ name: "n", trigger: "nope" }))).code).toBe("NOT_FOUND");
    expect((await failure(() => env.caller("labeler").queues.next({ queueId: "missing" }))).code).toBe("NOT_FOUND");

    const [inference] = (await env.caller("viewer").inferences.list({ trigger: "qa", limit: 1 })).items;
    const labeler = env.caller("labeler");
    expect(await failurePaths(() => labeler.feedback.score({ inferenceId: inference!.id, scores: { helpfulness: 9 } }))).toEqual({ code: "BAD_REQUEST", paths: ["scores.helpfulness"] });
    expect(await failurePaths(() => labeler.feedback.score({ inferenceId: inference!.id, scores: { tone: "angry" } }))).toEqual({ code: "BAD_REQUEST", paths: ["scores.tone"] });
    expect(await failurePaths(() => labeler.feedback.score({ inferenceId: inference!.id, scores: { mood: 1 } }))).toEqual({ code: "BAD_REQUEST", paths: ["scores.mood"] });
    await labeler.feedback.score({ inferenceId: inference!.id, scores: { helpfulness: 2 } });

    const queue = await admin.queues.create({ name: "held", trigger: "qa", feed: { maxItems: 2 } });
    const held = (await labeler.queues.next({ queueId: queue.id }))!;
    const other = env.caller("apikey-labeler");
    expect((await failure(() => other.queues.complete({ queueId: queue.id, inferenceId: held.inference.id, label: "bad" }))).code).toBe("CONFLICT");
    expect((await failure(() => other.feedback.score({ inferenceId: held.inference.id, scores: { helpfulness: 1 } }))).code).toBe("CONFLICT");
    await labeler.queues.skip({ queueId: queue.id, inferenceId: held.inference.id });
    expect((await env.caller("viewer").queues.get({ id: queue.id })).progress).toMatchObject({ skipped: 1, pending: 1 });
    const updated = await admin.queues.update({ id: queue.id, assignees: ["someone@example.com"] });
    expect(updated.assignees).toEqual(["someone@example.com"]);
    expect(await admin.queues.delete({ id: queue.id })).toEqual({ deleted: true });
    expect((await env.caller("viewer").triggers.get({ trigger: "qa" })).scores).toMatchObject({ helpfulness: { kind: "numeric" } });
  });
});
