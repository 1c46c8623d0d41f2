// Every list is `{ items, nextCursor }` with keyset cursors and no silent cap: users, API keys,
// relations, triggers; feedback.export pages. Real SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertMany, newId } from "@motion/db";
import { databaseFactories, openEnv, outcome, type TestEnv } from "./harness.ts";

const factories = await databaseFactories();

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
