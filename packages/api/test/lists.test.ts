// Every list is `{ items, nextCursor }` with keyset cursors and no silent cap: users, API keys,
// relations, triggers, review queues, schedule ticks; feedback.export pages. Real SQLite and
// PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { insertMany, newId } from "@motion/db";
import { defineApp, relation, trigger } from "@motion/engine";
import { databaseFactories, openEnv, outcome, type TestEnv } from "./harness.ts";

const factories = await databaseFactories();

const pings = relation("pings", { schema: z.object({ n: z.number() }) });
const poller = trigger("poller", {
  setUp: () => ({ polls: 0 }),
  routes: [{ name: "every5", relation: pings, schedule: { cron: "*/5 * * * *" }, fit: ({ state }) => ({ polls: (state.polls as number) + 1 }) }],
});
const scheduledApp = defineApp({ name: "api-lists-schedules", relations: [pings], triggers: [poller] });

/** Walks a list to its end; fails on a repeated item (a cursor that loops). */
async function walk<T>(fetch: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>, idOf: (item: T) => string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    pages++;
    for (const item of page.items) {
      expect(seen.has(idOf(item)), `repeated ${idOf(item)}`).toBe(false);
      seen.add(idOf(item));
      items.push(item);
    }
    cursor = page.nextCursor;
    if (cursor !== null) expect(page.items.length).toBeGreaterThan(0);
  } while (cursor !== null && pages < 1_000);
  return { items, pages };
}

describe.each(factories)("lists on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  it("users: newest first, page by page, past 1,000 users (no silent cap)", async () => {
    const admin = env.caller("admin");
    const start = Date.now();
    const rows = Array.from({ length: 1_005 }, (_, i) => {
      const at = new Date(start + i);
      return [newId(at.getTime()), `bulk${i}@example.com`, `bulk ${i}`, false, "viewer", at, at];
    });
    await env.motion.db.tx(() => insertMany(`INSERT INTO "User" ("id", "email", "name", "emailVerified", "role", "createdAt", "updatedAt") VALUES `, 7, rows));
    const { items, pages } = await walk((cursor) => admin.users.list({ cursor, limit: 200 }), (u) => u.id);
    expect(items).toHaveLength(1_008); // + admin, viewer, labeler
    expect(pages).toBe(6);
    expect(items.map((u) => u.id)).toEqual([...items.map((u) => u.id)].sort().reverse());
    expect(items[0]!.email).toBe("bulk1004@example.com");
    const first = await admin.users.list();
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).toBe(first.items[49]!.id);
  });

  it("API keys: newest first, paged, with or without revoked keys", async () => {
    const admin = env.caller("admin");
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await admin.apiKeys.create({ name: `paged-${i}`, role: "viewer" }));
    await admin.apiKeys.revoke({ id: created[1]!.id });
    const all = await walk((cursor) => admin.apiKeys.list({ cursor, limit: 2 }), (k) => k.id);
    expect(all.items.slice(0, 5).map((k) => k.name)).toEqual(["paged-4", "paged-3", "paged-2", "paged-1", "paged-0"]);
    expect(all.items).toHaveLength(5 + 3); // and the harness's three keys
    const live = await walk((cursor) => admin.apiKeys.list({ includeRevoked: false, cursor, limit: 2 }), (k) => k.id);
    expect(live.items.map((k) => k.name)).not.toContain("paged-1");
    expect(live.items).toHaveLength(7);
  });

  it("relations and triggers: declaration order, cursor is the last name", async () => {
    const viewer = env.caller("viewer");
    const relations = await walk((cursor) => viewer.relations.list({ cursor, limit: 1 }), (r) => r.name);
    expect(relations.items.map((r) => r.name)).toEqual(env.motion.app.relations.map((r) => r.name));
    const triggers = await walk((cursor) => viewer.triggers.list({ cursor, limit: 3 }), (t) => t.name);
    expect(triggers.items.map((t) => t.name)).toEqual(["qa", "echo", "triage", "flaky"]);
    expect(triggers.pages).toBe(2);
    expect((await viewer.triggers.list()).nextCursor).toBeNull();
    expect(await outcome(() => viewer.triggers.list({ cursor: "nope" }))).toBe("BAD_REQUEST");
    expect(await outcome(() => viewer.relations.list({ cursor: "nope" }))).toBe("BAD_REQUEST");
  });

  it("review queues: the caller's assigned ones first, then the others, each newest first; every queue once", async () => {
    const admin = env.caller("admin");
    const labeler = env.emails.labeler;
    const created: { id: string; mine: boolean }[] = [];
    for (let i = 0; i < 7; i++) {
      const mine = i % 3 !== 1; // 0, 2, 3, 5, 6 are the labeler's; 1 and 4 are not
      const q = await admin.queues.create({ name: `paged queue ${i}`, trigger: "qa", feed: { filter: {}, maxItems: 1 }, assignees: mine ? [labeler] : ["someone@example.com"] });
      created.push({ id: q.id, mine });
    }
    const newestFirst = (ids: string[]) => [...ids].sort().reverse();
    const mineIds = newestFirst(created.filter((q) => q.mine).map((q) => q.id));
    const otherIds = newestFirst(created.filter((q) => !q.mine).map((q) => q.id));

    const asLabeler = env.caller("labeler");
    const all = await walk((cursor) => asLabeler.queues.list({ cursor, limit: 2 }), (q) => q.id);
    expect(all.items.map((q) => q.id)).toEqual([...mineIds, ...otherIds]);
    expect(all.items.map((q) => q.assignedToMe)).toEqual([...mineIds.map(() => true), ...otherIds.map(() => false)]);
    expect(all.pages).toBe(4);
    // A page boundary inside the caller's queues, one at the switch to the others, pages of one.
    for (const limit of [1, 3, 5, 7, 200]) {
      const paged = await walk((cursor) => asLabeler.queues.list({ cursor, limit }), (q) => q.id);
      expect(paged.items.map((q) => q.id), `limit ${limit}`).toEqual([...mineIds, ...otherIds]);
    }
    const mine = await walk((cursor) => asLabeler.queues.list({ mine: true, cursor, limit: 2 }), (q) => q.id);
    expect(mine.items.map((q) => q.id)).toEqual(mineIds);
    const ofTrigger = await walk((cursor) => asLabeler.queues.list({ trigger: "qa", cursor, limit: 4 }), (q) => q.id);
    expect(ofTrigger.items.map((q) => q.id)).toEqual([...mineIds, ...otherIds]);

    // Nobody assigned the viewer a queue: one stretch, newest first.
    const asViewer = env.caller("viewer");
    const viewed = await walk((cursor) => asViewer.queues.list({ cursor, limit: 3 }), (q) => q.id);
    expect(viewed.items.map((q) => q.id)).toEqual(newestFirst(created.map((q) => q.id)));
    const first = await asViewer.queues.list({ limit: 3 });
    expect(first.nextCursor).toBe(`rest:${first.items[2]!.id}`);
    expect(await asViewer.queues.list()).toMatchObject({ items: expect.any(Array), nextCursor: null });
    expect(await outcome(() => asViewer.queues.list({ cursor: "nope" }))).toBe("BAD_REQUEST");
    expect(await outcome(() => asViewer.queues.list({ limit: 201 }))).toBe("BAD_REQUEST");
    for (const q of created) await admin.queues.delete({ id: q.id });
  });

  it("every list takes no input at all: the newest page with the default limit", async () => {
    const viewer = env.caller("viewer");
    await env.caller("labeler").rows.addMany({ relation: "questions", rows: [{ text: "one" }, { text: "two" }] });
    const inferences = await viewer.inferences.list();
    expect(inferences.items.length).toBeGreaterThan(0);
    expect(inferences.items.length).toBeLessThanOrEqual(50);
    expect(inferences).toHaveProperty("nextCursor");
    expect(await viewer.feedback.list()).toMatchObject({ items: expect.any(Array), nextCursor: null });
    const admin = env.caller("admin");
    for (const [name, list] of Object.entries({ users: admin.users, apiKeys: admin.apiKeys, fits: admin.fits, audit: admin.audit, relations: admin.relations, triggers: admin.triggers })) {
      expect([name, await outcome(() => (list as { list(): Promise<unknown> }).list())]).toEqual([name, "OK"]);
    }
  });

  it("a cursor no list gave out is refused with its path; an id that was deleted since still pages on", async () => {
    const admin = env.caller("admin");
    for (const [name, call] of Object.entries({
      rows: () => admin.rows.list({ relation: "questions", cursor: "garbage" }),
      inferences: () => admin.inferences.list({ cursor: "garbage" }),
      feedback: () => admin.feedback.list({ cursor: "garbage" }),
      fits: () => admin.fits.list({ cursor: "garbage" }),
      audit: () => admin.audit.list({ cursor: "garbage" }),
    })) {
      expect([name, await outcome(call)]).toEqual([name, "BAD_REQUEST"]);
    }
    const added = await env.caller("labeler").rows.addMany({ relation: "questions", rows: [{ text: "older" }, { text: "cursor" }, { text: "newer" }] });
    const [, middle] = added.map((r) => r.id);
    await admin.rows.delete({ id: middle!, reason: "test: a cursor that is gone" });
    const after = await admin.rows.list({ relation: "questions", cursor: middle!, limit: 200 });
    expect(after.items.map((r) => r.id)).toContain(added[0]!.id);
    expect(after.items.map((r) => r.id)).not.toContain(added[2]!.id);
  });

  it("feedback.export pages: the pages concatenated are the whole export", async () => {
    const labeler = env.caller("labeler");
    const rows = await labeler.rows.addMany({ relation: "tickets", rows: Array.from({ length: 7 }, (_, i) => ({ text: `export ${i}` })) });
    for (const [i, r] of rows.entries()) {
      await labeler.feedback.label({ inferenceId: r.inferences[0]!.id, label: i === 3 ? "bad" : "good" }); // bad without correction: skipped
    }
    // A relabel counts once, with its latest label.
    await labeler.feedback.label({ inferenceId: rows[0]!.inferences[0]!.id, label: "bad", correction: "triaged: fixed" });
    const viewer = env.caller("viewer");
    const whole = await viewer.feedback.export({ trigger: "triage", format: "openai-jsonl" });
    expect(whole).toMatchObject({ lines: 6, skipped: 1, nextCursor: null });
    let content = "";
    let lines = 0;
    const paged = await walk(async (cursor) => {
      const page = await viewer.feedback.export({ trigger: "triage", format: "openai-jsonl", cursor, limit: 3 });
      content += page.content;
      lines += page.lines;
      return { items: [page], nextCursor: page.nextCursor };
    }, (p) => p.nextCursor ?? "end");
    expect(paged.pages).toBe(3);
    expect(lines).toBe(6);
    expect(content).toBe(whole.content);
    expect(content).toContain("triaged: fixed");
    expect(await outcome(() => viewer.feedback.export({ trigger: "triage", format: "openai-jsonl", limit: 5_001 }))).toBe("BAD_REQUEST");
  });
});

describe.each(factories)("schedule history pages on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase, { motion: { app: scheduledApp, schedules: { auto: false, now: () => new Date("2026-06-01T10:02:00Z") } } });
  });
  afterAll(async () => env?.close());

  it("schedules.history: newest first, page by page to the oldest tick, every tick once", async () => {
    // 23 claimed ticks, five minutes apart, inserted out of order; the oldest is the baseline.
    const base = Date.parse("2026-06-01T08:00:00Z");
    const ticks = Array.from({ length: 23 }, (_, i) => new Date(base + i * 5 * 60_000));
    const rows = [...ticks].reverse().map((at, i) => ["poller", "every5", at, at.getTime() === base ? "baseline" : i % 4 === 0 ? "skipped" : "run", 0, null, "test", at]);
    await env.motion.db.tx(() => insertMany(`INSERT INTO "ScheduleTick" ("trigger", "route", "tickAt", "kind", "missed", "fitRunId", "claimedBy", "createdAt") VALUES `, 8, rows));
    const viewer = env.caller("viewer");
    const newestFirst = [...ticks].reverse().map((t) => t.toISOString());

    const paged = await walk((cursor) => viewer.schedules.history({ trigger: "poller", cursor, limit: 5 }), (t) => t.tickAt.toISOString());
    expect(paged.items.map((t) => t.tickAt.toISOString())).toEqual(newestFirst);
    expect(paged.pages).toBe(5);
    expect(paged.items.at(-1)!.kind).toBe("baseline");
    for (const limit of [1, 22, 23, 500]) {
      const all = await walk((cursor) => viewer.schedules.history({ trigger: "poller", route: "every5", cursor, limit }), (t) => t.tickAt.toISOString());
      expect(all.items.map((t) => t.tickAt.toISOString()), `limit ${limit}`).toEqual(newestFirst);
    }
    // No input beyond the trigger: the newest 20, the cursor the 20th tick's instant.
    const first = await viewer.schedules.history({ trigger: "poller" });
    expect(first.trigger).toBe("poller");
    expect(first.items).toHaveLength(20);
    expect(first.nextCursor).toBe(first.items[19]!.tickAt.toISOString());
    const rest = await viewer.schedules.history({ trigger: "poller", cursor: first.nextCursor });
    expect(rest.items.map((t) => t.tickAt.toISOString())).toEqual(newestFirst.slice(20));
    expect(rest.nextCursor).toBeNull();
    expect(await outcome(() => viewer.schedules.history({ trigger: "poller", cursor: "yesterday" }))).toBe("BAD_REQUEST");
    expect(await outcome(() => viewer.schedules.history({ trigger: "poller", limit: 501 }))).toBe("BAD_REQUEST");
  });
});
