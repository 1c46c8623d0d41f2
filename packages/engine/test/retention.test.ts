// Retention deletes for real, in bounded audited batches, keeps rows a fit has not taken yet,
// and gives SQLite's file space back.
import { afterAll, describe, expect, it } from "vitest";
import { all, get, idFloor, insertIngest, type InferenceInsert, type RowInsert } from "@motion/db";
import { z } from "zod";
import { Motion, NotFoundError, ValidationError, defineApp, relation, trigger } from "../src/index.ts";
import { PURGE_CANDIDATES, refreshPurgeStatistics } from "../src/retention.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

const events = relation("events", { schema: z.object({ n: z.number(), pad: z.string().default("") }), retention: { days: 30 } });
const notes = relation("notes", { schema: z.object({ text: z.string() }) });
const counter = trigger("counter", {
  setUp: () => ({ seen: 0 }),
  routes: [
    { relation: events, infer: ({ state }) => state.seen, fit: ({ state, rows }) => ({ seen: (state.seen as number) + rows.length }), batchSize: 200, maxWaitMs: 1 },
    { relation: notes, infer: ({ row }) => row.data.text.length },
  ],
});
const app = defineApp({ name: "retention-app", relations: [events, notes], triggers: [counter] });
// Rows kept for 0.2 s: a policy that really runs within a test.
const ticks = relation("ticks", { schema: z.object({ n: z.number() }), retention: { days: 0.2 / 86_400 } });
const echo = trigger("echo", { setUp: () => ({}), routes: [{ relation: ticks, infer: ({ row }) => row.data.n }] });
const shortApp = defineApp({ name: "short-retention", relations: [ticks], triggers: [echo] });

describe.each(factories)("retention on %s", (name, makeDatabase) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const open = async (options: { runFits?: boolean } = {}) => {
    const db: TestDatabase = await makeDatabase();
    const motion = await Motion.open({ app, databaseUrl: db.url, runFits: options.runFits ?? true, retention: { auto: false } });
    cleanups.push(() => db.cleanup(), () => motion.close());
    return motion;
  };
  const count = (motion: Motion, sql: string) => motion.db.read(() => get<{ n: unknown }>(sql)).then((r) => Number(r!.n));
  /** The kept per-relation row counts (what the console shows) equal a count of the rows. */
  const expectKeptCounts = async (motion: Motion) => {
    const counted = await motion.db.read(() => all<{ relation: string; n: unknown }>(`SELECT "relation", COUNT(*) AS "n" FROM "Row" GROUP BY "relation"`));
    const kept = await motion.rowCounts(motion.app.relations.map((r) => r.name));
    expect(Object.fromEntries(kept)).toEqual(Object.fromEntries(counted.map((c) => [c.relation, Number(c.n)])));
  };

  it("declares policies; rejects bad options, unknown relations and cut-offs in the future", async () => {
    expect(() => relation("bad", { schema: z.object({}), retention: { days: -1 } })).toThrow(/relation bad: retention[\s\S]*days/);
    expect(() => relation("bad", { schema: z.object({}), retention: { days: 1, keep: 2 } as never })).toThrow(/retention/);
    const motion = await open({ runFits: false });
    expect(motion.retention.policies()).toEqual([{ relation: "events", days: 30 }]);
    await expect(motion.retention.purge("nope", { before: new Date(), actor: "ops" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(motion.retention.purge("events", { before: new Date(Date.now() + 60_000), actor: "ops" })).rejects.toBeInstanceOf(ValidationError);
    await expect(motion.retention.purge("events", { before: new Date(), actor: "" })).rejects.toBeInstanceOf(ValidationError);
    await expect(motion.retention.purge("events", { before: new Date(), actor: "ops", batchSize: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it("deletes fitted rows older than the cut-off with their inferences and labels, batch by batch, one audit entry per batch", async () => {
    const motion = await open();
    const old = await motion.addMany("events", Array.from({ length: 1_100 }, (_, n) => ({ n })));
    await motion.feedback(old[5]!.inferences[0]!.id, { label: "good", actor: "labeler" });
    await motion.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cutoff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fresh = await motion.addMany("events", [{ n: -1 }, { n: -2 }]);
    await motion.add("notes", { text: "other relations are left alone" });
    await motion.flush();

    await expectKeptCounts(motion);
    const report = await motion.retention.purge("events", { before: cutoff, actor: "ops@example.com", reason: "data-protection request", batchSize: 500, maxBatchMs: 0 });
    await expectKeptCounts(motion);
    expect((await motion.rowCounts(["events"])).get("events")).toBe(2);
    // 1,100 events and the feedback row mirroring the label (feedback rows have no infer here).
    expect(report).toMatchObject({ relation: "events", rows: 1_101, inferences: 1_100, feedback: 1, keptPending: 0, batches: 3, done: true });
    const left = await motion.db.read(() => all<{ id: string }>(`SELECT "id" FROM "Row" WHERE "relation" = 'events' ORDER BY "id"`));
    expect(left.map((r) => r.id)).toEqual(fresh.map((r) => r.id));
    expect(await count(motion, `SELECT COUNT(*) AS n FROM "Row" WHERE "relation" = 'notes'`)).toBe(1);
    expect(await count(motion, `SELECT COUNT(*) AS n FROM "Inference"`)).toBe(3);
    expect(await count(motion, `SELECT COUNT(*) AS n FROM "Feedback"`)).toBe(0);
    const audit = await motion.db.read(() => all<{ actor: string; reason: string; data: unknown }>(`SELECT "actor", "reason", "data" FROM "AuditEvent" WHERE "action" = 'rows.retention' ORDER BY "id"`));
    expect(audit).toHaveLength(3);
    expect(audit.every((a) => a.actor === "ops@example.com" && a.reason === "data-protection request")).toBe(true);
    const rows = audit.map((a) => (typeof a.data === "string" ? JSON.parse(a.data) : a.data) as { rows: number }).reduce((sum, d) => sum + d.rows, 0);
    expect(rows).toBe(1_101);
    // State keeps what it learned: the fits' versions are untouched.
    const version = motion.activeVersion("counter");
    expect(version).toBeGreaterThan(0);
    expect((await motion.add("events", { n: 0 })).inferences[0]!.output).toBe(1_102);
    // One row deleted on request: the kept counts follow too.
    await motion.deleteRow(fresh[0]!.id, { actor: "ops" });
    await expectKeptCounts(motion);
    expect((await motion.rowCounts(["events"])).get("events")).toBe(2);
  });

  it("a paced purge (small batches) audits spans of batches, not each one: every deleted row is in exactly one entry", async () => {
    const motion = await open();
    const old = await motion.addMany("events", Array.from({ length: 600 }, (_, n) => ({ n })));
    await motion.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cutoff = new Date();
    // batchSize 50 and a pace far below one batch's time: many small batches.
    const report = await motion.retention.purge("events", { before: cutoff, actor: "ops", reason: "paced", batchSize: 50, maxBatchMs: 0.01 });
    expect(report).toMatchObject({ rows: 600, done: true });
    expect(report.batches).toBeGreaterThan(10);
    const audit = await motion.db.read(() => all<{ data: unknown }>(`SELECT "data" FROM "AuditEvent" WHERE "action" = 'rows.retention' AND "reason" = 'paced' ORDER BY "id"`));
    const spans = audit.map((a) => (typeof a.data === "string" ? JSON.parse(a.data) : a.data) as { rows: number; batches: number; first: string; last: string });
    expect(spans.length).toBeGreaterThanOrEqual(1);
    expect(spans.length).toBeLessThan(report.batches);
    expect(spans.reduce((sum, d) => sum + d.rows, 0)).toBe(600);
    expect(spans.reduce((sum, d) => sum + d.batches, 0)).toBe(report.batches);
    // Consecutive, non-overlapping id ranges from the oldest row to the newest.
    const ids = old.map((r) => r.id).sort();
    expect(spans[0]!.first).toBe(ids[0]);
    expect(spans.at(-1)!.last).toBe(ids.at(-1));
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.first > spans[i - 1]!.last).toBe(true);
  });

  it("keeps rows no fit has taken yet, and deletes them once fitted", async () => {
    const motion = await open({ runFits: false });
    await motion.addMany("events", Array.from({ length: 50 }, (_, n) => ({ n })));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const report = await motion.retention.purge("events", { before: new Date(), actor: "ops" });
    expect(report).toMatchObject({ rows: 0, keptPending: 50, done: true });
    expect(await count(motion, `SELECT COUNT(*) AS n FROM "Row"`)).toBe(50);
    expect(await count(motion, `SELECT COUNT(*) AS n FROM "AuditEvent"`)).toBe(0);

    const worker = await Motion.open({ app, databaseUrl: motion.db.url, retention: { auto: false } });
    cleanups.push(() => worker.close());
    await worker.flush();
    const after = await motion.retention.purge("events", { before: new Date(), actor: "ops" });
    expect(after).toMatchObject({ rows: 50, keptPending: 0 });
  });

  it("applies declared policies (rows older than days) and stops at its time budget", async () => {
    const motion = await open();
    await motion.addMany("events", Array.from({ length: 20 }, (_, n) => ({ n })));
    await motion.flush();
    // Nothing is 30 days old yet.
    expect(await motion.retention.applyPolicies({ actor: "retention" })).toMatchObject([{ relation: "events", rows: 0, done: true }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await motion.retention.purge("events", { before: new Date(), actor: "ops", maxMs: -1 })).toMatchObject({ rows: 0, done: false });
    expect(await count(motion, `SELECT COUNT(*) AS n FROM "Row"`)).toBe(20);

    const db: TestDatabase = await makeDatabase();
    const short = await Motion.open({ app: shortApp, databaseUrl: db.url, retention: { auto: false } });
    cleanups.push(() => db.cleanup(), () => short.close());
    await short.addMany("ticks", [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await short.add("ticks", { n: 4 });
    expect(await short.retention.applyPolicies({ actor: "retention" })).toMatchObject([{ relation: "ticks", rows: 3, inferences: 3, done: true }]);
    expect(await count(short, `SELECT COUNT(*) AS n FROM "Row"`)).toBe(1);
    const audit = await short.db.read(() => all<{ actor: string; reason: string }>(`SELECT "actor", "reason" FROM "AuditEvent" WHERE "action" = 'rows.retention'`));
    expect(audit).toEqual([{ actor: "retention", reason: `retention: ${0.2 / 86_400} days` }]);
  });
});

// Space reclaim is SQLite's concern (PostgreSQL reuses space through autovacuum).
describe.each(factories.filter(([name]) => name === "sqlite"))("retention on %s: file space", (_name, makeDatabase) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const open = async () => {
    const db: TestDatabase = await makeDatabase();
    const motion = await Motion.open({ app, databaseUrl: db.url, retention: { auto: false } });
    cleanups.push(() => db.cleanup(), () => motion.close());
    return motion;
  };
  const count = (motion: Motion, sql: string) => motion.db.read(() => get<{ n: unknown }>(sql)).then((r) => Number(r!.n));

  it("hands freed pages back to the file system (incremental vacuum)", async () => {
    const motion = await open();
    const pad = "x".repeat(4_000);
    for (let i = 0; i < 4; i++) await motion.addMany("events", Array.from({ length: 500 }, (_, n) => ({ n, pad })));
    await motion.flush();
    const pages = () => count(motion, `SELECT page_count AS n FROM pragma_page_count()`);
    expect(await count(motion, `SELECT auto_vacuum AS n FROM pragma_auto_vacuum()`)).toBe(2);
    const before = await pages();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await motion.retention.purge("events", { before: new Date(), actor: "ops" })).toMatchObject({ rows: 2_000, done: true });
    expect(await count(motion, `SELECT freelist_count AS n FROM pragma_freelist_count()`)).toBe(0);
    expect(await pages()).toBeLessThan(before / 4);
  });
});

interface PgPlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PgPlanNode[];
}

// PostgreSQL plans a purge batch from statistics. Right after a bulk load (or with autovacuum
// off) there are none: the planner took the old rows' id range for a handful of rows and read
// all of it, then sorted, in every batch — a 1M-row purge freed ~350 rows/s. A purge first
// analyzes the tables it reads when their statistics are missing or stale.
describe.each(factories.filter(([name]) => name === "postgresql"))("retention on %s: statistics", (_name, makeDatabase) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("analyzes never-analyzed tables before purging, so a batch walks the id index and stops at its limit", async () => {
    const db: TestDatabase = await makeDatabase();
    const motion = await Motion.open({ app, databaseUrl: db.url, runFits: false, retention: { auto: false } });
    cleanups.push(() => db.cleanup(), () => motion.close());
    // 20,000 fitted rows 100 days old with an inference each, written as a bulk load (no ANALYZE).
    const total = 20_000;
    const start = Date.now() - 100 * 86_400_000;
    const idAt = (ms: number, kind: string) => `${idFloor(ms).slice(0, 13)}${kind}${"0".repeat(6)}`;
    for (let done = 0; done < total; done += 5_000) {
      const rows: RowInsert[] = [];
      const inferences: InferenceInsert[] = [];
      for (let i = done; i < done + 5_000; i++) {
        const createdAt = new Date(start + i);
        rows.push({ id: idAt(start + i, "r"), relation: "events", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt, data: JSON.stringify({ n: i, pad: "" }) });
        inferences.push({
          id: idAt(start + i, "i"), rowId: idAt(start + i, "r"), relation: "events", trigger: "counter", route: "events", output: "0", error: null,
          stateVersion: 0, paramsHash: "p", inputHash: `h${i}`, latencyMs: 1, cached: false, createdAt,
        });
      }
      await motion.db.tx(() => insertIngest(rows, inferences, []));
    }
    const analyzed = () => motion.db.read(() => all<{ relname: string }>(`SELECT "relname" FROM "pg_stat_user_tables" WHERE "relname" IN ('Row', 'Inference') AND ("last_analyze" IS NOT NULL OR "last_autoanalyze" IS NOT NULL) ORDER BY "relname"`));
    expect(await analyzed()).toEqual([]);

    expect(await refreshPurgeStatistics(motion.db)).toEqual(["Inference", "Row"]);
    expect((await analyzed()).map((r) => r.relname)).toEqual(["Inference", "Row"]);
    // Fresh statistics: nothing to do the next time.
    expect(await refreshPurgeStatistics(motion.db)).toEqual([]);

    const before = new Date(Date.now() - 30 * 86_400_000);
    const plan = async (sql: string, params: unknown[]) => {
      const [row] = await motion.db.read(() => all<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params));
      const raw = row!["QUERY PLAN"];
      const doc = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PgPlanNode }[];
      const nodes: string[] = [];
      const walk = (n: PgPlanNode) => {
        nodes.push(`${n["Node Type"]}${n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""}`);
        for (const c of n.Plans ?? []) walk(c);
      };
      walk(doc[0]!.Plan);
      return nodes;
    };
    // The first batch of the purge: an index walk under the LIMIT, no sort of the whole range.
    const first = await plan(PURGE_CANDIDATES.sql, ["events", "", idFloor(before.getTime()), before, 500]);
    expect(first[0]).toBe("Limit");
    expect(first).not.toContain("Sort");
    expect(first.some((n) => n.startsWith("Seq Scan") || n.startsWith("Bitmap Heap Scan"))).toBe(false);
    // A batch's inferences by row: the (rowId) index, not a read of the table.
    const rowIds = Array.from({ length: 500 }, (_, i) => idAt(start + i, "r"));
    const byRow = await plan(`SELECT "id" FROM "Inference" WHERE "rowId" IN (${rowIds.map(() => "?").join(", ")})`, rowIds);
    expect(byRow).not.toContain("Seq Scan on Inference");

    const report = await motion.retention.purge("events", { before, actor: "ops", maxBatchMs: 0 });
    expect(report).toMatchObject({ rows: total, inferences: total, keptPending: 0, batches: total / 500, done: true });
    expect(Number((await motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row"`)))!.n)).toBe(0);
  }, 60_000);
});
