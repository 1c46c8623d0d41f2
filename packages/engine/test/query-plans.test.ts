// The console's read queries use the indexes declared in prisma/models.prisma (see
// docs/indexes.md): each read-model call is run with its statements captured, and each
// statement is EXPLAINed on SQLite and PostgreSQL over a table of many relations and triggers.
// No page or count may read a whole table of rows, inferences or labels, or sort one; time
// ranges go through the id indexes (ids are time-sortable), which is why there is no
// (relation, createdAt) or (trigger, createdAt) index.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all, idFloor, insertIngest, newId, run, type InferenceInsert, type Query, type QueryOp, type RowInsert } from "@motion/db";
import { Motion } from "../src/index.ts";
import { listFeedback } from "../src/read-model/listings.ts";
import { readLabelPage } from "../src/read-model/label-export.ts";
import { countRows, listRows, readRowDetail } from "../src/read-model/row-query.ts";
import { searchInferences } from "../src/read-model/inference-search.ts";
import { listFitRuns } from "../src/read-model/fit-runs.ts";
import { readActivity } from "../src/activity/activity-read.ts";
import { readVersionExamples } from "../src/outcomes/evaluation.ts";
import { counterApp } from "./fixtures/apps.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

const RELATIONS = 10;
const PER_RELATION = 2_000;
const DAY = 86_400_000;

/** An id made at `ms` (newId never goes back in time; these rows are back-dated). */
let made = 0;
const idAt = (ms: number) => `${idFloor(ms).slice(0, 9)}${(made++).toString(36).padStart(4, "0")}${"t".repeat(7)}`;

type Captured = { sql: string; params: readonly unknown[] };
/** Statements that select by a row, an inference or a page of ids: what they sort is small. */
const BY_KEY = /"(rowId|inferenceId|id)" (= \?|in \()/i;

describe.each(factories)("console query plans on %s", (name, makeDatabase) => {
  let db: TestDatabase;
  let motion: Motion;
  let someRow: string;
  const now = Date.now();

  beforeAll(async () => {
    db = await makeDatabase();
    motion = await Motion.open({ app: counterApp, databaseUrl: db.url, runFits: false });
    // Rows spread over 30 days in 10 relations, an inference each (10 triggers), a label on every 4th.
    const rows: RowInsert[] = [];
    const inferences: InferenceInsert[] = [];
    for (let r = 0; r < RELATIONS; r++) {
      for (let n = 0; n < PER_RELATION; n++) {
        const at = now - Math.floor(((n * 7919) % PER_RELATION) / PER_RELATION * 30 * DAY);
        const id = idAt(at);
        rows.push({ id, relation: `rel${r}`, key: null, data: JSON.stringify({ n, topic: n % 5 === 0 ? "news" : "other" }), partition: new Date(at).toISOString().slice(0, 10), createdAt: new Date(at) });
        inferences.push({
          id: idAt(at), rowId: id, relation: `rel${r}`, trigger: `t${r}`, route: "r", output: JSON.stringify({ n }), error: null,
          stateVersion: n % 3, paramsHash: "p", inputHash: `h${n}`, latencyMs: n % 50, cached: false, createdAt: new Date(at),
        });
      }
    }
    someRow = rows[1234]!.id;
    for (let i = 0; i < rows.length; i += 500) {
      await motion.db.tx(() => insertIngest(rows.slice(i, i + 500), inferences.slice(i, i + 500), []));
    }
    await motion.db.tx(function* () {
      for (let i = 0; i < inferences.length; i += 4) {
        const inf = inferences[i]!;
        yield* run(`INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "trigger", "label", "actor", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)`, [newId(), inf.id, inf.rowId, inf.trigger, i % 8 === 0 ? "good" : "bad", "ops", new Date()]);
        // The flag the feedback transaction keeps with each label.
        yield* run(`UPDATE "Inference" SET "labeled" = TRUE WHERE "id" = ?`, [inf.id]);
      }
    });
    // Fit runs of 10 triggers, a few of them failed and dead-lettered.
    await motion.db.tx(function* () {
      for (let n = 0; n < 4_000; n++) {
        const status = n % 50 === 0 ? "failed" : n % 7 === 0 ? "queued" : "succeeded";
        yield* run(
          `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "deadLettered", "queuedAt") VALUES (?, ?, 'r', 'rel0', ?, '[]', 1, '{}', 'p', 1, 3, ?, ?)`,
          [idAt(now - (4_000 - n) * 1_000), `t${n % RELATIONS}`, status, status === "failed", new Date(now - (4_000 - n) * 1_000)],
        );
      }
    });
    // Statistics as a running database has them (autovacuum / the optimizer's own analysis).
    await motion.db.tx(() => run(`ANALYZE`));
  }, 120_000);

  afterAll(async () => {
    await motion?.close();
    await db?.cleanup();
  });

  /** Runs a read-model query for real and keeps every statement it sent. */
  async function capture<T>(query: () => Query<T>): Promise<Captured[]> {
    const seen: Captured[] = [];
    await motion.db.read(function* () {
      const inner = query();
      let step = inner.next();
      while (!step.done) {
        const op = step.value as QueryOp & { sql?: string; params?: readonly unknown[] };
        if (op.sql !== undefined) seen.push({ sql: op.sql, params: op.params ?? [] });
        step = inner.next(yield step.value);
      }
      return step.value;
    });
    expect(seen.length).toBeGreaterThan(0);
    return seen;
  }

  /** The plan of one statement as lines (SQLite) or node descriptions (PostgreSQL). */
  async function planOf(s: Captured): Promise<string[]> {
    if (name === "postgresql") {
      // At test size a sequential read of a few thousand labels is cheaper than any index, so
      // the planner is told to avoid them: what remains shows that an index serves the query
      // (at a million rows the planner needs no telling).
      const [row] = await motion.db.tx(function* () {
        yield* run(`SET LOCAL enable_seqscan = off`);
        return yield* all<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.params);
      });
      const raw = row!["QUERY PLAN"];
      const doc = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PgNode }[];
      const out: string[] = [];
      const walk = (n: PgNode) => {
        out.push(`${n["Node Type"]}${n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""}${n["Index Name"] ? ` using ${n["Index Name"]}` : ""}`);
        for (const c of n.Plans ?? []) walk(c);
      };
      walk(doc[0]!.Plan);
      return out;
    }
    const rows = await motion.db.read(() => all<{ detail: string }>(`EXPLAIN QUERY PLAN ${s.sql}`, s.params));
    return rows.map((r) => r.detail);
  }

  /**
   * Every statement: no sequential scan of rows, inferences or labels and no sort of them, except
   * a walk of a table in id order that a LIMIT stops (`orderedScan`: newest-first pages without
   * filters).
   */
  async function expectIndexed(what: string, statements: Captured[], options: { orderedScan?: string[]; versionSort?: boolean } = {}) {
    const big = /("?)(Row|Inference|Feedback|FitRun|r|i|f)\1/;
    for (const s of statements) {
      const plan = await planOf(s);
      const context = `${what}: ${s.sql}\n${plan.join("\n")}`;
      for (const line of plan) {
        if (name === "postgresql") {
          expect(/^Seq Scan on "?(Row|Inference|Feedback|FitRun)"?$/.test(line), context).toBe(false);
          continue;
        }
        const scan = /^SCAN (\S+)/.exec(line);
        if (scan && big.test(scan[1]!)) {
          const allowed = (options.orderedScan ?? []).includes(scan[1]!) && /LIMIT (\?|\d+)$/i.test(s.sql.trim());
          expect(allowed, context).toBe(true);
        }
        // Sorting is fine for what one key selects (a row's inferences, a page's labels).
        // `versionSort`: the labels of one version's labeled inferences (an index range) are sorted.
        if (/^USE TEMP B-TREE FOR ORDER BY/.test(line)) expect(BY_KEY.test(s.sql) || !!options.versionSort, context).toBe(true);
        if (name === "postgresql" && line === "Sort") expect(BY_KEY.test(s.sql) || !!options.versionSort, context).toBe(true);
      }
    }
  }

  const provider = () => motion.db.provider;

  it("rows: newest page, a deep page, a time range, a field filter and counts use the (relation, id) index", async () => {
    const first = await motion.db.read(() => listRows(provider(), { relation: "rel3", limit: 50 }));
    expect(first.items).toHaveLength(50);
    await expectIndexed("rows page", await capture(() => listRows(provider(), { relation: "rel3", limit: 50 })));
    await expectIndexed("deep rows page", await capture(() => listRows(provider(), { relation: "rel3", limit: 50, cursor: first.items[49]!.id })));
    const range = { relation: "rel3", from: new Date(now - 10 * DAY), to: new Date(now - 5 * DAY) };
    await expectIndexed("rows in a time range", await capture(() => listRows(provider(), { ...range, limit: 50 })));
    await expectIndexed("rows filtered by a field", await capture(() => listRows(provider(), { relation: "rel3", filter: [{ field: "topic", op: "eq", value: "news" }], limit: 50 })));
    await expectIndexed("row count", await capture(() => countRows(provider(), { relation: "rel3" })));
    await expectIndexed("row count in a time range", await capture(() => countRows(provider(), range)));
    // The time range is an id range: same answer as filtering on createdAt.
    const inRange = await motion.db.read(() => countRows(provider(), range));
    const byTime = await motion.db.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "relation" = ? AND "createdAt" >= ? AND "createdAt" <= ?`, ["rel3", range.from, range.to]));
    expect(inRange).toBe(Number(byTime[0]!.n));
    expect(inRange).toBeGreaterThan(0);
  });

  it("one row with its inferences and labels: primary key and (rowId) indexes", async () => {
    await expectIndexed("row detail", await capture(() => readRowDetail(provider(), someRow)));
  });

  it("inferences: by trigger, version, latency, labeled and label use the (trigger, id) and label indexes", async () => {
    const page = await capture(() => searchInferences(provider(), { trigger: "t4", limit: 50 }));
    await expectIndexed("inferences of a trigger", page);
    await expectIndexed("inferences of a version", await capture(() => searchInferences(provider(), { trigger: "t4", version: 1, limit: 50 })));
    await expectIndexed("slow inferences", await capture(() => searchInferences(provider(), { trigger: "t4", minLatencyMs: 40, limit: 50 })));
    // Label filters walk the labels' (inferenceId) index newest first, a step at a time.
    await expectIndexed("labeled inferences", await capture(() => searchInferences(provider(), { trigger: "t4", labeled: true, limit: 50 })), { orderedScan: ["f"] });
    await expectIndexed("inferences labeled bad", await capture(() => searchInferences(provider(), { trigger: "t4", label: "bad", limit: 50 })), { orderedScan: ["f"] });
    await expectIndexed("inferences without a label", await capture(() => searchInferences(provider(), { trigger: "t4", labeled: false, limit: 50 })));
  });

  it("fit runs: the Fits page's filters (trigger, status, dead letters) page newest first on an index", async () => {
    await expectIndexed("fit runs", await capture(() => listFitRuns({ limit: 50 })), { orderedScan: ["FitRun"] });
    await expectIndexed("fit runs of a trigger", await capture(() => listFitRuns({ trigger: "t3", limit: 50 })));
    await expectIndexed("failed fit runs of a trigger", await capture(() => listFitRuns({ trigger: "t3", status: "failed", limit: 50 })));
    await expectIndexed("queued fit runs", await capture(() => listFitRuns({ status: "queued", limit: 50 })));
    await expectIndexed("dead letters", await capture(() => listFitRuns({ deadLettered: true, limit: 50 })));
    await expectIndexed("dead letters of a trigger", await capture(() => listFitRuns({ trigger: "t3", deadLettered: true, limit: 50 })));
  });

  it("a version's labeled examples (Compare's evaluation): the (trigger, labeled, id) index, not a walk of every label", async () => {
    const examples = await motion.db.read(() => readVersionExamples(provider(), "t4", 1, 1_000));
    // Every 4th inference is labeled and the n-th of a trigger is on version n % 3.
    expect(examples.length).toBe(Array.from({ length: PER_RELATION }, (_, n) => n).filter((n) => n % 4 === 0 && n % 3 === 1).length);
    await expectIndexed("a version's labeled examples", await capture(() => readVersionExamples(provider(), "t4", 1, 1_000)), { versionSort: true });
  });

  it("labels: newest first, per trigger and per inference", async () => {
    await expectIndexed("labels", await capture(() => listFeedback(provider(), { limit: 50 })), { orderedScan: ["f"] });
    const ofTrigger = await capture(() => listFeedback(provider(), { trigger: "t2", limit: 50 }));
    await expectIndexed("labels of one trigger", ofTrigger);
    // A range of the trigger's own labels, not a walk of every label (rare ones would walk them all).
    expect((await planOf(ofTrigger[0]!)).join("\n")).toMatch(/Feedback_trigger_id_idx/);
    const one = await motion.db.read(() => all<{ inferenceId: string }>(`SELECT "inferenceId" FROM "Feedback" LIMIT 1`));
    await expectIndexed("labels of an inference", await capture(() => listFeedback(provider(), { inferenceId: one[0]!.inferenceId, limit: 50 })));
  });

  it("overview: the fit runs that finished in the window are a (trigger, finishedAt) range per trigger", async () => {
    const statements = await capture(() => readActivity(provider(), { triggers: ["t1", "t2"], from: new Date(now - 3_600_000), to: new Date(now), bucketMinutes: 1 }));
    const fits = statements.filter((s) => s.sql.includes(`"FitRun"`));
    expect(fits).toHaveLength(1);
    await expectIndexed("overview fits", fits);
    expect((await planOf(fits[0]!)).join("\n")).toMatch(/FitRun_trigger_finishedAt_idx/);
  });

  it("label export: a page walks only the trigger's labeled inferences, on the (trigger, labeled, id) index", async () => {
    const statements = await capture(() => readLabelPage(provider(), { trigger: "t2", limit: 50 }));
    await expectIndexed("label export", statements);
    expect((await planOf(statements[0]!)).join("\n")).toMatch(/Inference_trigger_labeled_id_idx/);
  });
});

interface PgNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PgNode[];
}
