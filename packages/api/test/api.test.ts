import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all, get, run } from "@motion/db";
import { API_VERSION, hashApiKey } from "../src/index.ts";
import { databaseFactories, openEnv, outcome, PASSWORD, signIn, type TestEnv, failure } from "./harness.ts";

const factories = await databaseFactories();

/** What the client sees: the formatted error shape (with zod issue paths). */
async function issuesOf(env: TestEnv, call: () => Promise<unknown>) {
  const error = await failure(call);
  const { errorFormatter } = (await import("../src/root.ts")).appRouter._def._config;
  const shape = errorFormatter({ error, shape: { message: error.message, code: -32600, data: { code: error.code, httpStatus: 400 } }, type: "query", path: "x", input: undefined, ctx: undefined } as never) as { data: { issues: { path: (string | number)[] }[] | null } };
  return { code: error.code, paths: (shape.data.issues ?? []).map((i) => i.path.join(".")) };
}

describe.each(factories)("api on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  it("health is public and names the database", async () => {
    const health = await env.caller("anonymous").health();
    expect(health).toMatchObject({ ok: true, version: API_VERSION, database: env.db.provider });
    const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(API_VERSION).toBe(pkg.version);
    expect(await env.caller("anonymous").auth.me()).toBeNull();
    expect(await env.caller("labeler").auth.me()).toMatchObject({ kind: "user", email: env.emails.labeler, role: "labeler" });
    expect(await env.caller("apikey-admin").auth.me()).toMatchObject({ kind: "apiKey", name: "admin-key", role: "admin" });
  });

  it("answers bad input with BAD_REQUEST and the zod path", async () => {
    const viewer = env.caller("viewer");
    const labeler = env.caller("labeler");
    expect(await issuesOf(env, () => viewer.rows.list({ relation: "questions", limit: 0 }))).toEqual({ code: "BAD_REQUEST", paths: ["limit"] });
    expect(await issuesOf(env, () => viewer.rows.list({ relation: "questions", filter: [{ field: "a.b", op: "eq", value: 1 }] } as never))).toEqual({ code: "BAD_REQUEST", paths: ["filter.0.field"] });
    expect(await issuesOf(env, () => viewer.rows.list({ relation: "questions", filter: [{ field: "score", op: "contains", value: 1 }] } as never))).toEqual({ code: "BAD_REQUEST", paths: ["filter.0.value"] });
    // The row is validated by the relation's schema: the path is rooted at the input.
    expect(await issuesOf(env, () => labeler.rows.add({ relation: "questions", row: { text: 5 } }))).toEqual({ code: "BAD_REQUEST", paths: ["row.text"] });
    expect(await issuesOf(env, () => labeler.rows.addMany({ relation: "questions", rows: [{ text: "ok" }, { text: "" }] }))).toEqual({ code: "BAD_REQUEST", paths: ["rows.1.text"] });
    expect(await issuesOf(env, () => labeler.feedback.label({ inferenceId: "x", label: "meh" as never }))).toEqual({ code: "BAD_REQUEST", paths: ["label"] });
    expect(await issuesOf(env, () => labeler.rows.add({ relation: "questions", row: { text: "a\u0000b" } }))).toEqual({ code: "BAD_REQUEST", paths: ["row.text"] });
    expect(await issuesOf(env, () => env.caller("admin").triggers.setParams({ trigger: "qa", params: { prefix: 1 } }))).toMatchObject({ code: "BAD_REQUEST" });
    // Nothing of a rejected batch was written.
    const count = await env.motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "relation" = 'questions'`));
    expect(Number(count!.n)).toBe(0);
  });

  it("answers unknown relations, triggers, versions and ids with NOT_FOUND", async () => {
    const viewer = env.caller("viewer");
    const admin = env.caller("admin");
    const cases: [string, () => Promise<unknown>][] = [
      ["rows.list", () => viewer.rows.list({ relation: "nope" })],
      ["rows.count", () => viewer.rows.count({ relation: "nope" })],
      ["rows.add", () => admin.rows.add({ relation: "nope", row: {} })],
      ["rows.get", () => viewer.rows.get({ id: "missing" })],
      ["inferences.get", () => viewer.inferences.get({ id: "missing" })],
      ["inferences.list", () => viewer.inferences.list({ trigger: "nope" })],
      ["triggers.get", () => viewer.triggers.get({ trigger: "nope" })],
      ["state.versions", () => viewer.state.versions({ trigger: "nope" })],
      ["state.get", () => viewer.state.get({ trigger: "qa", version: 999 })],
      ["state.rollback", () => admin.state.rollback({ trigger: "qa", version: 999, reason: "x" })],
      ["state.rollback trigger", () => admin.state.rollback({ trigger: "nope", version: 0, reason: "x" })],
      ["fits.get", () => viewer.fits.get({ id: "missing" })],
      ["fits.retry", () => admin.fits.retry({ id: "missing" })],
      ["feedback.label", () => admin.feedback.label({ inferenceId: "missing", label: "good" })],
      ["feedback.export", () => viewer.feedback.export({ trigger: "nope", format: "openai-jsonl" })],
      ["review.next", () => admin.review.next({ trigger: "nope" })],
      ["users.setRole", () => admin.users.setRole({ userId: "missing", role: "viewer" })],
      ["apiKeys.revoke", () => admin.apiKeys.revoke({ id: "missing" })],
    ];
    const got = await Promise.all(cases.map(async ([name, call]) => [name, await outcome(call)]));
    expect(got).toEqual(cases.map(([name]) => [name, "NOT_FOUND"]));
  });

  it("pages rows newest first with keyset cursors: no duplicates, no gaps, filters and time ranges", async () => {
    const labeler = env.caller("labeler");
    const viewer = env.caller("viewer");
    const first = await labeler.rows.addMany({
      relation: "questions",
      rows: Array.from({ length: 130 }, (_, i) => ({ text: `question ${i}`, topic: i % 3 === 0 ? "billing" : "Shipping", score: i, flag: i % 2 === 0 })),
    });
    expect(first).toHaveLength(130);
    expect(first[0]!.inferences.map((i) => i.trigger).sort()).toEqual(["echo", "qa"]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const boundary = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await labeler.rows.addMany({ relation: "questions", rows: Array.from({ length: 70 }, (_, i) => ({ text: `later ${i}`, topic: "late", score: 1000 + i })) });

    const everything = await env.motion.db.read(() => all<{ id: string }>(`SELECT "id" FROM "Row" WHERE "relation" = 'questions' ORDER BY "id" DESC`));
    const walk = async (input: Parameters<typeof viewer.rows.list>[0]) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const result: Awaited<ReturnType<typeof viewer.rows.list>> = await viewer.rows.list({ ...input, cursor });
        ids.push(...result.items.map((r) => r.id));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      return ids;
    };
    const paged = await walk({ relation: "questions", limit: 17 });
    expect(paged).toEqual(everything.map((r) => r.id));
    expect(new Set(paged).size).toBe(200);

    const page1 = await viewer.rows.list({ relation: "questions", limit: 3 });
    expect(page1.items[0]).toMatchObject({ key: null, data: { text: "later 69", topic: "late", score: 1069 } });
    expect(page1.items[0]!.createdAt).toBeInstanceOf(Date);

    const check = async (filter: Omit<Parameters<typeof viewer.rows.list>[0], "relation">, expected: number, predicate?: (d: any) => boolean) => {
      const ids = await walk({ relation: "questions", limit: 23, ...filter });
      expect(ids.length, JSON.stringify(filter)).toBe(expected);
      expect((await viewer.rows.count({ relation: "questions", ...filter })).count).toBe(expected);
      if (predicate) {
        const rows = (await viewer.rows.list({ relation: "questions", limit: 200, ...filter })).items;
        expect(rows.every((r) => predicate(r.data))).toBe(true);
      }
    };
    await check({ filter: [{ field: "topic", op: "eq", value: "billing" }] }, 44, (d) => d.topic === "billing");
    await check({ filter: [{ field: "topic", op: "contains", value: "SHIP" }] }, 86);
    await check({ filter: [{ field: "score", op: "gt", value: 100 }, { field: "score", op: "lt", value: 120 }] }, 19, (d) => d.score > 100 && d.score < 120);
    await check({ filter: [{ field: "score", op: "eq", value: 5 }] }, 1);
    await check({ filter: [{ field: "score", op: "eq", value: "5" }] }, 0); // types are compared strictly
    await check({ filter: [{ field: "flag", op: "eq", value: true }] }, 65);
    // Strings compare by code point on both databases: "Shipping" < "billing" < "c" < "late".
    await check({ filter: [{ field: "topic", op: "gt", value: "c" }] }, 70, (d) => d.topic === "late");
    await check({ filter: [{ field: "topic", op: "lt", value: "billing" }] }, 86, (d) => d.topic === "Shipping");
    await check({ filter: [{ field: "missing", op: "eq", value: null }] }, 0);
    await check({ from: boundary }, 70, (d) => d.topic === "late");
    await check({ to: boundary }, 130, (d) => d.topic !== "late");
    await check({ from: boundary, filter: [{ field: "score", op: "lt", value: 1010 }] }, 10);
    await check({ from: new Date(Date.now() + 60_000) }, 0);
  });

  it("gets a row with its inferences and feedback; lists inferences by trigger and label", async () => {
    const labeler = env.caller("labeler");
    const added = await labeler.rows.add({ relation: "questions", row: { text: "what is motion?" } });
    const qa = added.inferences.find((i) => i.trigger === "qa")!;
    expect(qa).toMatchObject({ route: "questions", output: { answer: "A: WHAT IS MOTION?", docs: 0 }, stateVersion: 0, cached: false, error: null });
    await labeler.feedback.label({ inferenceId: qa.id, label: "bad", correction: { answer: "A framework" }, note: "too loud" });
    const row = await env.caller("viewer").rows.get({ id: added.id });
    expect(row.data).toEqual({ text: "what is motion?" });
    const withFeedback = row.inferences.find((i) => i.id === qa.id)!;
    expect(withFeedback.feedback).toMatchObject([{ label: "bad", correction: { answer: "A framework" }, note: "too loud", actor: env.emails.labeler }]);
    const listed = await env.caller("viewer").inferences.list({ trigger: "qa", labeled: true, limit: 10 });
    expect(listed.items.map((i) => i.id)).toContain(qa.id);
    expect(listed.items.find((i) => i.id === qa.id)!.input).toEqual({ text: "what is motion?" });
    expect((await env.caller("viewer").inferences.list({ trigger: "qa", label: "good" })).items.map((i) => i.id)).not.toContain(qa.id);
    expect((await env.caller("viewer").inferences.list({ relation: "questions", labeled: false, limit: 5 })).items).toHaveLength(5);
    expect((await env.caller("viewer").inferences.get({ id: qa.id })).feedback).toHaveLength(1);
    const fb = await env.caller("viewer").feedback.list({ trigger: "qa" });
    expect(fb.items[0]).toMatchObject({ inferenceId: qa.id, trigger: "qa", label: "bad" });
  });

  it("exports feedback as OpenAI chat JSONL with corrections replacing bad outputs", async () => {
    const labeler = env.caller("labeler");
    const [good, fixed, dropped, relabeled] = await labeler.rows.addMany({
      relation: "tickets",
      rows: [{ text: "printer on fire" }, { text: "refund please" }, { text: "hello" }, { text: "late parcel" }],
    });
    const inf = (r: typeof good) => r!.inferences[0]!.id;
    await labeler.feedback.label({ inferenceId: inf(good), label: "good" });
    await labeler.feedback.label({ inferenceId: inf(fixed), label: "bad", correction: "triaged: billing" });
    await labeler.feedback.label({ inferenceId: inf(dropped), label: "bad" });
    await labeler.feedback.label({ inferenceId: inf(relabeled), label: "good" });
    await env.caller("admin").feedback.label({ inferenceId: inf(relabeled), label: "bad", correction: { answer: "triaged: shipping" } });
    const out = await env.caller("viewer").feedback.export({ trigger: "triage", format: "openai-jsonl", system: "You triage tickets." });
    expect(out).toMatchObject({ format: "openai-jsonl", lines: 3, skipped: 1 });
    const lines = out.content.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { messages: [{ role: "system", content: "You triage tickets." }, { role: "user", content: "printer on fire" }, { role: "assistant", content: "triaged: printer on fire" }] },
      { messages: [{ role: "system", content: "You triage tickets." }, { role: "user", content: "refund please" }, { role: "assistant", content: "triaged: billing" }] },
      { messages: [{ role: "system", content: "You triage tickets." }, { role: "user", content: "late parcel" }, { role: "assistant", content: "triaged: shipping" }] },
    ]);
  });

  it("exports the raw labels as JSON Lines and CSV, filtered on the latest label", async () => {
    const viewer = env.caller("viewer");
    // The tickets labeled just above: good, bad+correction, bad, and one relabeled good → bad by the admin.
    const raw = await viewer.feedback.export({ trigger: "triage", format: "jsonl" });
    const records = raw.content.trimEnd().split("\n").map((l) => JSON.parse(l) as { input: { text: string }; label: string; actor: string; labels: number; correction: unknown; stateVersion: number });
    expect(raw).toMatchObject({ format: "jsonl", skipped: 0, nextCursor: null });
    const byText = new Map(records.map((r) => [r.input.text, r]));
    expect(byText.get("late parcel")).toMatchObject({ label: "bad", actor: env.emails.admin, labels: 2, correction: { answer: "triaged: shipping" } });
    expect(byText.get("hello")).toMatchObject({ label: "bad", correction: null, labels: 1 });

    const bad = await viewer.feedback.export({ trigger: "triage", format: "jsonl", label: "bad" });
    expect(bad.content.trimEnd().split("\n").map((l) => (JSON.parse(l) as { input: { text: string } }).input.text).sort()).toEqual(["hello", "late parcel", "refund please"]);
    const byAdmin = await viewer.feedback.export({ trigger: "triage", format: "jsonl", actor: env.emails.admin });
    expect(byAdmin.lines).toBe(1);
    const future = await viewer.feedback.export({ trigger: "triage", format: "jsonl", from: new Date(Date.now() + 60_000) });
    expect(future).toMatchObject({ lines: 0, content: "" });

    const csv = await viewer.feedback.export({ trigger: "triage", format: "csv", label: "bad" });
    const lines = csv.content.trimEnd().split("\r\n");
    expect(lines[0]).toBe("inferenceId,rowId,relation,route,stateVersion,label,actor,labeledAt,labels,note,input,output,correction");
    expect(lines).toHaveLength(1 + 3);
    expect(csv.lines).toBe(3);
    expect(lines.find((l) => l.includes("late parcel"))).toContain('"{""answer"":""triaged: shipping""}"');
    const bogus = await failure(() => viewer.feedback.export({ trigger: "triage", format: "xml" } as never));
    expect(bogus.code).toBe("BAD_REQUEST");
  });

  it("review queue: two labelers never get the same item; locks expire, are released by labeling", async () => {
    // Fresh items on an otherwise fully labeled trigger's queue.
    await env.motion.db.tx(() => run(`DELETE FROM "LabelLock"`));
    const labeler = env.caller("labeler");
    const other = env.caller("apikey-labeler");
    const before = await env.caller("viewer").review.progress({ trigger: "triage" });
    const rows = await labeler.rows.addMany({ relation: "tickets", rows: [{ text: "r1" }, { text: "r2" }, { text: "r3" }] });
    const ids = rows.map((r) => r.inferences[0]!.id);
    const [a, b] = await Promise.all([labeler.review.next({ trigger: "triage" }), other.review.next({ trigger: "triage" })]);
    expect(a && b).toBeTruthy();
    expect(a!.inference.id).not.toBe(b!.inference.id);
    expect(ids).toContain(a!.inference.id);
    expect(a!.inference.input).toMatchObject({ text: expect.stringMatching(/^r\d$/) });
    expect(a!.lockExpiresAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
    // Asking again returns the item already held.
    expect((await labeler.review.next({ trigger: "triage" }))!.inference.id).toBe(a!.inference.id);
    const progress = await env.caller("viewer").review.progress({ trigger: "triage" });
    expect(progress.remaining).toBe(before.remaining + 3);
    expect(progress.inProgress).toBe(2);
    // Someone else cannot label an item another labeler holds (browse mode, or the Inferences page).
    const held = await failure(() => other.feedback.label({ inferenceId: a!.inference.id, label: "bad" }));
    expect(held.code).toBe("CONFLICT");
    expect(held.message).toMatch(/another labeler holds inference/);
    // Labeling releases the lock and counts for the labeler.
    await labeler.feedback.label({ inferenceId: a!.inference.id, label: "good" });
    const locks = await env.motion.db.read(() => all<{ inferenceId: string }>(`SELECT "inferenceId" FROM "LabelLock"`));
    expect(locks.map((l) => l.inferenceId)).toEqual([b!.inference.id]);
    // The third item goes to the first labeler; the other one's item is still locked.
    const c = await labeler.review.next({ trigger: "triage" });
    expect([a!.inference.id, b!.inference.id]).not.toContain(c!.inference.id);
    await labeler.feedback.label({ inferenceId: c!.inference.id, label: "bad", correction: "x" });
    expect(await labeler.review.next({ trigger: "triage" })).toBeNull();
    // An expired lock is free for someone else.
    await env.motion.db.tx(() => run(`UPDATE "LabelLock" SET "expiresAt" = ? WHERE "inferenceId" = ?`, [new Date(Date.now() - 1000), b!.inference.id]));
    expect((await labeler.review.next({ trigger: "triage" }))!.inference.id).toBe(b!.inference.id);
    // Release gives it back; only the holder can release.
    expect(await other.review.release({ inferenceId: b!.inference.id })).toEqual({ released: false });
    expect(await labeler.review.release({ inferenceId: b!.inference.id })).toEqual({ released: true });
    expect((await other.review.next({ trigger: "triage" }))!.inference.id).toBe(b!.inference.id);
    // Filters: re-review items labeled bad; `exclude` skips.
    const bad = await labeler.review.next({ trigger: "triage", filter: "bad" });
    expect(bad!.inference.feedback.at(-1)!.label).toBe("bad");
    const after = await env.caller("viewer").review.progress({ trigger: "triage" });
    expect(after.labelers.find((l) => l.actor === env.emails.labeler)!.labeled).toBeGreaterThanOrEqual(2);
    expect(after.remaining).toBe(before.remaining + 1);
  });

  it("stores API keys only as hashes, records last use, shows the key once", async () => {
    const admin = env.caller("admin");
    const created = await admin.apiKeys.create({ name: "ci", role: "viewer" });
    expect(created.key).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    const stored = await env.motion.db.read(() => all<Record<string, unknown>>(`SELECT * FROM "ApiKey"`));
    const dump = JSON.stringify(stored) + JSON.stringify(await env.motion.db.read(() => all(`SELECT * FROM "AuditEvent"`)));
    for (const key of [created.key, env.keys.viewer, env.keys.labeler, env.keys.admin]) expect(dump).not.toContain(key);
    expect(stored.find((k) => k.id === created.id)!.hash).toBe(hashApiKey(created.key));
    if (env.db.file) {
      const bytes = Buffer.concat([fs.readFileSync(env.db.file), ...(fs.existsSync(`${env.db.file}-wal`) ? [fs.readFileSync(`${env.db.file}-wal`)] : [])]);
      expect(bytes.includes(Buffer.from(created.key))).toBe(false);
    }
    const listed = (await admin.apiKeys.list({ limit: 200 })).items;
    const entry = listed.find((k) => k.id === created.id)!;
    expect(entry).toMatchObject({ name: "ci", role: "viewer", lastUsedAt: null, revokedAt: null, createdBy: env.emails.admin });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(entry.prefix.length).toBeLessThan(12);
    await env.api.createCaller(new Headers({ authorization: `Bearer ${created.key}` })).triggers.list();
    await new Promise((resolve) => setTimeout(resolve, 50)); // last use is written off the request path
    const used = (await admin.apiKeys.list({ limit: 200 })).items.find((k) => k.id === created.id)!;
    expect(used.lastUsedAt).toBeInstanceOf(Date);
    await admin.apiKeys.revoke({ id: created.id, reason: "leaked" });
    expect(await outcome(() => env.api.createCaller(new Headers({ authorization: `Bearer ${created.key}` })).triggers.list())).toBe("UNAUTHORIZED");
    expect((await admin.apiKeys.list({ includeRevoked: false, limit: 200 })).items.map((k) => k.id)).not.toContain(created.id);
  });

  it("rolls back within a trigger only, audited; versions, previews and alias history", async () => {
    const labeler = env.caller("labeler");
    const admin = env.caller("admin");
    const viewer = env.caller("viewer");
    await labeler.rows.addMany({ relation: "docs", rows: [{ url: "a", body: "x" }, { url: "b", body: "y" }, { url: "c", body: "z" }] });
    await env.motion.flush();
    const qa = await viewer.triggers.get({ trigger: "qa" });
    expect(qa).toMatchObject({ activeVersion: 3, latestVersion: 3, pinned: false, pendingRows: 0 });
    expect(qa.lastFit).toMatchObject({ status: "succeeded", producedVersion: 3, metrics: { docs: 1 } });
    expect(qa.latency.p50).not.toBeNull();
    expect(qa.fitRate.succeeded).toBe(3);

    const page1 = await viewer.state.versions({ trigger: "qa", limit: 2 });
    expect(page1.items.map((v) => v.version)).toEqual([3, 2]);
    expect(page1.items[0]).toMatchObject({ parent: 2, aliases: ["active", "latest"], fit: { rowCount: 1 } });
    const page2 = await viewer.state.versions({ trigger: "qa", limit: 2, cursor: page1.nextCursor });
    expect(page2.items.map((v) => v.version)).toEqual([1, 0]);
    expect(page2.nextCursor).toBeNull();

    const v3 = await viewer.state.get({ trigger: "qa", version: 3 });
    const entry = Object.fromEntries(v3.entries.map((e) => [e.key, e]));
    expect(entry.docs).toMatchObject({ kind: "json", value: 3, truncated: false });
    expect(entry.titles).toMatchObject({ value: ["a", "b", "c"], summary: "array(3)" });
    expect(entry.vec).toMatchObject({ kind: "f32", binary: { type: "f32", length: 3 }, size: 12 });

    // echo never fitted: version 3 is qa's, not echo's.
    expect(await outcome(() => admin.state.rollback({ trigger: "echo", version: 3, reason: "wrong trigger" }))).toBe("NOT_FOUND");
    expect(env.motion.activeVersion("echo")).toBe(0);
    expect(await outcome(() => env.caller("labeler").state.rollback({ trigger: "qa", version: 1, reason: "x" }))).toBe("FORBIDDEN");

    const moved = await admin.state.rollback({ trigger: "qa", version: 1, reason: "bad docs", pin: true });
    expect(moved).toMatchObject({ from: 3, to: 1, pinned: true });
    expect(env.motion.activeVersion("qa")).toBe(1);
    const answer = await labeler.rows.add({ relation: "questions", row: { text: "after rollback" } });
    expect(answer.inferences.find((i) => i.trigger === "qa")).toMatchObject({ stateVersion: 1, output: { docs: 1 } });
    expect((await viewer.triggers.get({ trigger: "qa" })).pinned).toBe(true);
    await admin.state.unpin({ trigger: "qa", reason: "docs fixed" });
    expect((await admin.audit.list({ action: "state.unpin" })).items[0]).toMatchObject({ target: "qa", reason: "docs fixed" });
    expect((await viewer.triggers.get({ trigger: "qa" })).pinned).toBe(false);

    const history = await viewer.state.aliasHistory({ trigger: "qa", alias: "active" });
    expect(history.items[1]).toMatchObject({ fromVersion: 3, toVersion: 1, actor: env.emails.admin, reason: "bad docs" });
    // Operator moves only: the rollback and the unpin, none of the fits' or setUp's.
    const operator = await viewer.state.aliasHistory({ trigger: "qa", moves: "operator" });
    expect(operator.items.map((h) => h.reason)).toEqual(["docs fixed", "bad docs"]);
    expect((await viewer.state.aliasHistory({ trigger: "qa" })).items.some((h) => h.actor.startsWith("fit:"))).toBe(true);
    const audit = await admin.audit.list({ action: "state.rollback" });
    expect(audit.items[0]).toMatchObject({ actor: env.emails.admin, target: "qa", reason: "bad docs", data: { from: 3, to: 1, pin: true } });
    expect(audit.items[0]!.createdAt).toBeInstanceOf(Date);

    const params = await admin.triggers.setParams({ trigger: "qa", params: { prefix: "Q: " } });
    expect(params.params).toEqual({ prefix: "Q: " });
    // A misspelt param is refused by name, and nothing changes (an object schema would have
    // dropped it and set every param back to its default).
    expect(await issuesOf(env, () => admin.triggers.setParams({ trigger: "qa", params: { Prefix: "typo: " } }))).toEqual({ code: "BAD_REQUEST", paths: ["params.Prefix"] });
    expect((await admin.triggers.list()).items.find((t) => t.name === "qa")).toMatchObject({ params: { prefix: "Q: " } });
    expect((await labeler.rows.add({ relation: "questions", row: { text: "p" } })).inferences.find((i) => i.trigger === "qa")!.output).toMatchObject({ answer: "Q: P" });
    expect((await admin.audit.list({ action: "trigger.params" })).items[0]).toMatchObject({ actor: env.emails.admin, target: "qa" });
  });

  it("lists fit runs, shows errors with stacks, retries dead-lettered runs (audited)", async () => {
    const admin = env.caller("apikey-admin");
    const viewer = env.caller("viewer");
    await env.caller("labeler").rows.add({ relation: "jobs", row: { fail: true } });
    await env.motion.flush();
    const dead = await viewer.fits.list({ trigger: "flaky", deadLettered: true });
    expect(dead.items).toHaveLength(1);
    const run = await viewer.fits.get({ id: dead.items[0]!.id });
    expect(run).toMatchObject({ status: "failed", deadLettered: true, attempts: 1, error: "planned failure", rowCount: 1 });
    expect(run.errorStack).toContain("planned failure");
    expect(run.rowIds).toHaveLength(1);
    expect((await viewer.triggers.get({ trigger: "flaky" })).deadLettered).toBe(1);
    const ok = (await viewer.fits.list({ trigger: "qa", status: "succeeded", limit: 1 })).items[0]!;
    expect(await outcome(() => admin.fits.retry({ id: ok.id }))).toBe("CONFLICT");
    expect(await admin.fits.retry({ id: run.id, reason: "fixed the flake" })).toEqual({ id: run.id, status: "queued" });
    const audit = (await admin.audit.list({ action: "fits.retry" })).items[0];
    expect(audit).toMatchObject({ actor: "apikey:admin-key", target: run.id, reason: "fixed the flake" });
    await env.motion.flush();
    const again = await viewer.fits.get({ id: run.id });
    expect(again.attempts).toBe(1);
    // The run keeps its operators' retries: who and why, newest first.
    expect(again.retries).toEqual([{ actor: "apikey:admin-key", reason: "fixed the flake", at: expect.any(Date) }]);

    // Bulk retry: every dead-lettered run named, one reason, each audited; the rest skipped.
    const labeler = env.caller("labeler");
    await labeler.rows.add({ relation: "jobs", row: { fail: true } });
    await labeler.rows.add({ relation: "jobs", row: { fail: true } });
    await env.motion.flush();
    const deadNow = (await viewer.fits.list({ trigger: "flaky", deadLettered: true })).items.map((r) => r.id);
    expect(deadNow.length).toBeGreaterThanOrEqual(2);
    expect(await outcome(() => viewer.fits.retryMany({ ids: deadNow, reason: "x" }))).toBe("FORBIDDEN");
    expect(await outcome(() => admin.fits.retryMany({ ids: deadNow, reason: " " }))).toBe("BAD_REQUEST");
    const bulk = await admin.fits.retryMany({ ids: [...deadNow, ok.id, "missing"], reason: "bulk: upstream fixed" });
    expect(bulk.retried.sort()).toEqual([...deadNow].sort());
    expect(bulk.skipped.map((s) => s.id)).toEqual([ok.id, "missing"]);
    const audited = (await admin.audit.list({ action: "fits.retry", limit: 50 })).items.filter((a) => a.reason === "bulk: upstream fixed");
    expect(audited.map((a) => a.target).sort()).toEqual([...deadNow].sort());
    await env.motion.flush();
  });

  it("stats.overview: per-minute series of inferences, latency and fits", async () => {
    const stats = await env.caller("viewer").stats.overview({ minutes: 5 });
    expect(stats.minutes).toBe(5);
    const qa = stats.triggers.find((t) => t.trigger === "qa")!;
    expect(qa.series).toHaveLength(5);
    expect(qa.totals.inferences).toBeGreaterThan(200);
    expect(qa.totals.fits).toBeGreaterThanOrEqual(3);
    expect(qa.series.reduce((a, p) => a + p.inferences, 0)).toBe(qa.totals.inferences);
    expect(stats.triggers.map((t) => t.trigger).sort()).toEqual(["echo", "flaky", "qa", "triage"]);
    expect((await env.caller("viewer").stats.overview()).minutes).toBe(60);
    // Exact or says it is not: all fits read here; past the cap the read says it is incomplete.
    expect(stats.truncated).toBe(false);
    const window = { from: new Date(Date.now() - 10 * 60_000), to: new Date(Date.now() + 60_000), bucketMinutes: 1 };
    const all = await env.motion.activity(window);
    expect(all.fitsComplete).toBe(true);
    const capped = await env.motion.activity({ ...window, maxFits: all.fits.length - 1 });
    expect(capped.fitsComplete).toBe(false);
    expect(capped.fits).toHaveLength(all.fits.length - 1);
  });

  it("relations.list: schema, key and row count", async () => {
    const { items: relations, nextCursor } = await env.caller("viewer").relations.list();
    expect(nextCursor).toBeNull();
    const byName = Object.fromEntries(relations.map((r) => [r.name, r]));
    expect(byName.docs).toMatchObject({ key: "url", rowCount: 3 });
    expect(byName.questions!.schema).toMatchObject({ type: "object", properties: { text: { type: "string" } } });
    expect(byName.feedback!.rowCount).toBeGreaterThan(0);
  });

  it("users: admins create users and change roles (audited); the last admin stays", async () => {
    const admin = env.caller("admin");
    const user = await admin.users.create({ email: "New.Person@Example.com", password: PASSWORD, role: "viewer" });
    expect(user).toMatchObject({ email: "new.person@example.com", role: "viewer" });
    expect(await outcome(() => admin.users.create({ email: "new.person@example.com", password: PASSWORD, role: "viewer" }))).toBe("CONFLICT");
    const { cookie } = await signIn(env.api, env.baseURL, user.email, PASSWORD);
    const asUser = () => env.api.createCaller(new Headers({ cookie }));
    expect(await outcome(() => asUser().feedback.label({ inferenceId: "x", label: "good" }))).toBe("FORBIDDEN");
    await admin.users.setRole({ userId: user.id, role: "labeler", reason: "joins labeling" });
    expect(await outcome(() => asUser().feedback.label({ inferenceId: "x", label: "good" }))).toBe("NOT_FOUND");
    const audit = (await admin.audit.list({ action: "users.setRole" })).items[0];
    expect(audit).toMatchObject({ actor: env.emails.admin, target: user.id, reason: "joins labeling", data: { from: "viewer", to: "labeler" } });
    const admins = (await admin.users.list({ limit: 200 })).items.filter((u) => u.role === "admin");
    expect(admins).toHaveLength(1);
    expect(await outcome(() => admin.users.setRole({ userId: admins[0]!.id, role: "viewer" }))).toBe("CONFLICT");
    // Wrong password / closed sign-up.
    expect((await signIn(env.api, env.baseURL, user.email, "wrong password!")).status).toBe(401);
    const signUp = await env.api.handle(new Request(`${env.baseURL}/api/auth/sign-up/email`, { method: "POST", headers: { "content-type": "application/json", origin: env.baseURL }, body: JSON.stringify({ email: "x@y.z", password: PASSWORD, name: "x" }) }));
    expect(signUp.status).toBeGreaterThanOrEqual(400);
    expect(signUp.status).toBeLessThan(500);
    expect(await env.motion.db.read(() => get(`SELECT "id" FROM "User" WHERE "email" = 'x@y.z'`))).toBeUndefined();
  });

  it("triggers.idle says whether all fits are idle, per trigger, from the database", async () => {
    const viewer = env.caller("apikey-viewer");
    const admin = env.caller("admin");
    await env.motion.flush();
    const before = await viewer.triggers.idle();
    expect(before.idle).toBe(true);
    // Only triggers with fit routes have fit work.
    expect(before.triggers.map((t) => t.trigger)).toEqual(["qa", "flaky"]);
    expect(before.triggers[0]).toMatchObject({ trigger: "qa", pending: 0, claimed: 0, running: 0, retrying: 0, pinned: false, idle: true });
    // Pinned: new rows wait for an operator, so the trigger is idle with rows pending.
    const { activeVersion } = await viewer.triggers.get({ trigger: "qa" });
    await admin.state.rollback({ trigger: "qa", version: activeVersion!, reason: "hold fits", pin: true });
    await env.caller("labeler").rows.add({ relation: "docs", row: { url: "idle-check", body: "x" } });
    const held = await viewer.triggers.idle();
    expect(held.triggers[0]).toMatchObject({ trigger: "qa", pending: 1, pinned: true, idle: true });
    await admin.state.unpin({ trigger: "qa" });
    await env.motion.flush();
    const after = await viewer.triggers.idle();
    expect(after).toMatchObject({ idle: true, triggers: [{ trigger: "qa", pending: 0, pinned: false, idle: true }, { trigger: "flaky" }] });
    expect(await outcome(() => env.caller("anonymous").triggers.idle())).toBe("UNAUTHORIZED");
  });
  it("publishes the correction schema, lists a picked field's options, and rejects corrections with their path", async () => {
    const viewer = env.caller("viewer");
    const labeler = env.caller("labeler");
    const described = await viewer.triggers.get({ trigger: "qa" });
    expect(described.correctionSchema).toMatchObject({ type: "object", properties: { answer: { type: "string" }, source: { type: "string", motion: { optionsFrom: { relation: "docs", field: "url", label: "body" } } } } });
    expect((await viewer.triggers.get({ trigger: "echo" })).correctionSchema).toBeNull();
    await labeler.rows.addMany({ relation: "docs", rows: [{ url: "opt/zebra", body: "Zebra guide" }, { url: "opt/apple", body: "Apple guide" }, { url: "opt/zebra", body: "Zebra handbook" }] });
    const options = await viewer.triggers.correctionOptions({ trigger: "qa", field: ["source"], search: "OPT/" });
    expect(options).toEqual({ trigger: "qa", field: ["source"], relation: "docs", relationField: "url", items: [{ value: "opt/apple", label: "Apple guide" }, { value: "opt/zebra", label: "Zebra handbook" }], more: false });
    // Fewer than match: the answer says there are more (narrow the search).
    expect(await viewer.triggers.correctionOptions({ trigger: "qa", field: ["source"], search: "OPT/", limit: 1 })).toMatchObject({ items: [{ value: "opt/apple" }], more: true });
    expect((await viewer.triggers.correctionOptions({ trigger: "qa", field: ["source"], search: "handbook" })).items.map((i) => i.value)).toEqual(["opt/zebra"]);
    expect(await outcome(() => viewer.triggers.correctionOptions({ trigger: "qa", field: ["answer"] }))).toBe("NOT_FOUND");
    expect(await outcome(() => viewer.triggers.correctionOptions({ trigger: "nope", field: ["source"] }))).toBe("NOT_FOUND");

    const added = await labeler.rows.add({ relation: "questions", row: { text: "which doc?" } });
    const inferenceId = added.inferences.find((i) => i.trigger === "qa")!.id;
    expect(await issuesOf(env, () => labeler.feedback.label({ inferenceId, label: "bad", correction: { source: 42 } }))).toEqual({ code: "BAD_REQUEST", paths: ["correction.source"] });
    const unknown = await failure(() => labeler.feedback.label({ inferenceId, label: "bad", correction: { source: "opt/missing" } }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(await issuesOf(env, () => labeler.feedback.label({ inferenceId, label: "bad", correction: { source: "opt/missing" } }))).toEqual({ code: "BAD_REQUEST", paths: ["correction.source"] });
    expect(unknown.message).toContain(`no docs row has url "opt/missing"`);
    expect((await viewer.inferences.get({ id: inferenceId })).feedback).toEqual([]);
    await labeler.feedback.label({ inferenceId, label: "bad", correction: { answer: "See the apple guide", source: "opt/apple" } });
    expect((await viewer.inferences.get({ id: inferenceId })).feedback).toMatchObject([{ label: "bad", correction: { answer: "See the apple guide", source: "opt/apple" } }]);
  });
});
