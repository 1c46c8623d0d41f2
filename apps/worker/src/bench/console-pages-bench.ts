/**
 * Benchmark: server time of the Review, Queues and Fits pages' read-model calls on a database
 * of 1M inferences (all but 1 in 10,000 labeled: the "nearly done" case that made the
 * unlabeled filter slow), 20 named queues of 10,000 items (the most a queue holds) and 200,000
 * fit runs (1 in 1,000 dead-lettered). Each call goes through the API's server-side caller with
 * a signed-in admin's session, as the console makes it: first page, deep page (keyset cursor
 * near the end), filtered pages and the counts the page shows. A raw indexed query (the newest
 * 50 inference ids of the trigger) is timed in the same run as the baseline of every ratio.
 * Fills a temp SQLite database with batched multi-row inserts.
 *
 *   npm run bench -- console-pages
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Motion } from "@motion/engine";
import { pagesApp } from "./fixtures.ts";
import { all, get, insertIngest, newId, run, valuesList, type InferenceInsert, type RowInsert } from "@motion/db";
import { adminCaller } from "./admin-caller.ts";
import { median, type BenchResult } from "./stats.ts";


export interface BenchConsolePagesOptions {
  inferences?: number;
  queues?: number;
  queueItems?: number;
  fitRuns?: number;
  runs?: number;
  log?: (line: string) => void;
}


const GOAL = "≤ 50 ms";

export async function benchConsolePages(options: BenchConsolePagesOptions = {}): Promise<BenchResult[]> {
  const total = options.inferences ?? 1_000_000;
  const queueCount = options.queues ?? 20;
  const queueItems = options.queueItems ?? 10_000;
  const fitRuns = options.fitRuns ?? 200_000;
  const runs = options.runs ?? 15;
  const log = options.log ?? ((line: string) => console.log(line));
  const batch = 20_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), "motion-bench-"));
  const motion = await Motion.open({ app: pagesApp, databaseUrl: `file:${path.join(dir, "bench.db")}`, runFits: false });
  try {
    const fillStart = performance.now();
    const start = Date.now() - total;
    for (let done = 0; done < total; done += batch) {
      const n = Math.min(batch, total - done);
      const rows: RowInsert[] = new Array(n);
      const inferences: InferenceInsert[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const ms = start + done + i;
        const createdAt = new Date(ms);
        const id = newId(ms);
        rows[i] = { id, relation: "events", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt, data: JSON.stringify({ user: `u${(done + i) % 997}`, kind: "view", value: (done + i) % 100 }) };
        inferences[i] = {
          id: newId(ms), rowId: id, relation: "events", trigger: "score", route: "events", output: JSON.stringify({ score: (done + i) % 100 }), error: null,
          stateVersion: (done + i) % 10, paramsHash: "bench", inputHash: `h${i}`, latencyMs: 0.05, cached: false, createdAt,
        };
      }
      await motion.db.tx(() => insertIngest(rows, inferences, []));
    }
    // Labels on all but 1 in 10,000 inferences (set-based, as an import would), by four labelers.
    await motion.db.tx(function* () {
      yield* run(
        `INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "actor", "createdAt")
         SELECT i."id", i."id", i."rowId", CASE WHEN i._rowid_ % 5 = 0 THEN 'bad' ELSE 'good' END, 'labeler' || (i._rowid_ % 4) || '@bench', i."createdAt"
         FROM "Inference" i WHERE i._rowid_ % 10000 <> 7`,
      );
      yield* run(`UPDATE "Inference" SET "labeled" = TRUE WHERE _rowid_ % 10000 <> 7`);
      // The label tallies, as the label_tally migration backfills them.
      yield* run(`INSERT INTO "LabelTally" ("trigger", "actor", "label", "labels") SELECT i."trigger", f."actor", f."label", COUNT(*) FROM "Feedback" f JOIN "Inference" i ON i."id" = f."inferenceId" GROUP BY i."trigger", f."actor", f."label"`);
      yield* run(`INSERT INTO "LabeledTally" ("trigger", "labeled") SELECT "trigger", COUNT(*) FROM "Inference" WHERE "labeled" = TRUE GROUP BY "trigger"`);
    });
    // Named queues of `queueItems` each (spread over the inferences), half of each done.
    await motion.db.tx(function* () {
      const now = new Date();
      for (let q = 0; q < queueCount; q++) {
        const id = newId();
        yield* run(`INSERT INTO "ReviewQueue" ("id", "name", "trigger", "description", "feed", "status", "createdBy", "createdAt") VALUES (?, ?, 'score', NULL, '{}', 'ready', 'bench', ?)`, [id, `queue ${q}`, now]);
        yield* run(`INSERT INTO "ReviewQueueAssignee" ("queueId", "actor") VALUES (?, 'labeler0@bench'), (?, 'bench@motion.local')`, [id, id]);
        yield* run(
          `INSERT INTO "ReviewQueueItem" ("queueId", "inferenceId", "position", "status")
           SELECT ?, i."id", i._rowid_, CASE WHEN i._rowid_ % 2 = 0 THEN 'done' ELSE 'pending' END FROM "Inference" i WHERE i._rowid_ % ? = ? LIMIT ?`,
          [id, Math.floor(total / queueItems), q % Math.floor(total / queueItems), queueItems],
        );
        // The item counts the queue keeps (the engine maintains them on every item write).
        yield* run(
          `UPDATE "ReviewQueue" SET "pendingItems" = (SELECT COUNT(*) FROM "ReviewQueueItem" WHERE "queueId" = ? AND "status" = 'pending'), "doneItems" = (SELECT COUNT(*) FROM "ReviewQueueItem" WHERE "queueId" = ? AND "status" = 'done') WHERE "id" = ?`,
          [id, id, id],
        );
      }
    });
    // Fit runs: 1 in 1,000 failed and dead-lettered, the rest succeeded.
    for (let done = 0; done < fitRuns; done += 1_000) {
      const n = Math.min(1_000, fitRuns - done);
      const values: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const at = new Date(start + Math.floor((k * total) / fitRuns));
        const failed = k % 1000 === 3;
        values.push(newId(at.getTime()), "score", "events", "events", failed ? "failed" : "succeeded", "[]", 100, "{}", "bench", failed ? 3 : 1, 3, failed ? "boom" : null, failed, at, at, at, 12.5);
      }
      await motion.db.tx(() =>
        run(
          `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "error", "deadLettered", "queuedAt", "startedAt", "finishedAt", "durationMs") VALUES ${valuesList(n, 17)}`,
          values,
        ),
      );
    }
    await motion.db.tx(() => run(`ANALYZE`));
    log(`filled ${total.toLocaleString()} inferences (labeled but 1 in 10,000), ${queueCount} queues of ${queueItems.toLocaleString()} items, ${fitRuns.toLocaleString()} fit runs in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

    const caller = await adminCaller(motion);

    const time = async (what: string, call: () => Promise<unknown>, check: (result: never) => boolean = () => true) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const result = await call();
        samples.push(performance.now() - t);
        if (!check(result as never)) throw new Error(`${what}: unexpected result`);
      }
      return median(samples.slice(2)); // drop warm-up
    };
    const baseline = await time("raw baseline", () => motion.db.read(() => all(`SELECT "id" FROM "Inference" WHERE "trigger" = 'score' ORDER BY "id" DESC LIMIT 50`)));
    log(`raw baseline (newest 50 inference ids of the trigger): ${baseline.toFixed(3)} ms`);
    const results: BenchResult[] = [];
    const add = (name: string, value: number, note: string) => {
      results.push({ name, value, unit: "ms", baseline, ratio: value / baseline, goal: GOAL, note });
      log(`${name}: ${value.toFixed(2)} ms (${(value / baseline).toFixed(1)}× the raw baseline)`);
    };
    type InferencePage = { items: unknown[]; nextCursor: string | null };
    const full = (n: number) => (p: InferencePage) => p.items.length === n;
    const some = (p: InferencePage) => p.items.length > 0;
    const size = total >= 1_000_000 ? `${total / 1_000_000}M` : total.toLocaleString();

    // Review: the list the page shows (30 items), at the start and at the end, and filtered.
    const deep = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "Inference" WHERE "trigger" = 'score' ORDER BY "id" ASC LIMIT 1 OFFSET 30`));
    add(`Review list, first page of ${size}`, await time("review first", () => caller.inferences.list({ trigger: "score", limit: 30 }), full(30)), "inferences.list, 30 items");
    add(`Review list, last page of ${size}`, await time("review last", () => caller.inferences.list({ trigger: "score", limit: 30, cursor: deep!.id }), (p: InferencePage) => p.items.length === 30 && p.nextCursor === null), "keyset cursor at the far end");
    add("Review list, unlabeled (1 in 10,000)", await time("review unlabeled", () => caller.inferences.list({ trigger: "score", labeled: false, limit: 30 }), some), "Inference(trigger, labeled, id) index");
    const unlabeledDeep = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "Inference" WHERE "trigger" = 'score' AND "labeled" = FALSE ORDER BY "id" ASC LIMIT 1 OFFSET 30`));
    add("Review list, unlabeled, last page", await time("review unlabeled last", () => caller.inferences.list({ trigger: "score", labeled: false, limit: 30, cursor: unlabeledDeep?.id ?? null }), some), "keyset cursor at the far end");
    add("Review list, labeled bad", await time("review bad", () => caller.inferences.list({ trigger: "score", label: "bad", limit: 30 }), full(30)), "walks labels by inference id");
    add("Review list, version 3", await time("review version", () => caller.inferences.list({ trigger: "score", version: 3, limit: 30 }), full(30)), "1 in 10 inferences");
    add("Review progress counts", await time("review progress", () => caller.review.progress({ trigger: "score" })), "total, labeled, per labeler and label");

    // Queues: the list with every queue's progress, and one queue (what the Review page polls).
    const queues = (await caller.queues.list({ mine: false })).items;
    add(`Queues list (${queueCount} queues with progress)`, await time("queues list", () => caller.queues.list({ mine: false }), (r: { items: unknown[] }) => r.items.length === queueCount), `${(queueCount * queueItems).toLocaleString()} queue items`);
    add("Queues list, mine", await time("queues mine", () => caller.queues.list({ mine: true }), (r: { items: unknown[] }) => r.items.length === queueCount), "assigned to the caller");
    add("Queue progress (queues.get)", await time("queue get", () => caller.queues.get({ id: queues[0]!.id }), (q: { progress: { total: number } }) => q.progress.total === queueItems), `${queueItems.toLocaleString()} items`);

    // Fits: newest runs, deep page, failed, dead letters.
    const fitDeep = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "FitRun" ORDER BY "id" ASC LIMIT 1 OFFSET 50`));
    add("Fits list, first page", await time("fits first", () => caller.fits.list({ limit: 50 }), full(50)), `${fitRuns.toLocaleString()} runs`);
    add("Fits list, last page", await time("fits last", () => caller.fits.list({ limit: 50, cursor: fitDeep!.id }), (p: InferencePage) => p.items.length === 50 && p.nextCursor === null), "keyset cursor at the far end");
    add("Fits list, trigger filter", await time("fits trigger", () => caller.fits.list({ trigger: "score", limit: 50 }), full(50)), "the page's trigger select");
    add("Fits list, failed", await time("fits failed", () => caller.fits.list({ trigger: "score", status: "failed", limit: 50 }), some), "1 in 1,000 runs");
    add("Fits list, dead letters", await time("fits dead", () => caller.fits.list({ deadLettered: true, limit: 50 }), some), "1 in 1,000 runs");
    const deadDeep = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "FitRun" WHERE "deadLettered" = TRUE ORDER BY "id" ASC LIMIT 1 OFFSET 50`));
    add("Fits list, dead letters, last page", await time("fits dead last", () => caller.fits.list({ deadLettered: true, limit: 50, cursor: deadDeep?.id ?? null }), some), "keyset cursor at the far end");
    return results;
  } finally {
    await motion.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
