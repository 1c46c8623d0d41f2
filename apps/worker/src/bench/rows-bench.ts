/**
 * Benchmark: server time of one `rows.list` page (50 rows) on a relation of 1M rows, at the
 * first page and at the last page (keyset cursor, never OFFSET); and of the console's
 * Inferences page on the 1M inferences made on them: first and last page, the unlabeled
 * filter, and a text search (a bounded scan of the newest 10,000). Fills a temp SQLite database
 * with batched multi-row inserts, then calls the procedure through the API's server-side caller
 * with a signed-in admin's session (auth + validation + query + serialisation-free result).
 *
 *   npm run bench -- rows        (part of `npm run bench`)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Motion } from "@motion/engine";
import { pagesApp } from "./fixtures.ts";
import { median } from "./stats.ts";
import { all, get, insertIngest, newId, run, type InferenceInsert, type RowInsert } from "@motion/db";
import { adminCaller } from "./admin-caller.ts";


export interface BenchRowsOptions {
  rows?: number;
  batch?: number;
  runs?: number;
  log?: (line: string) => void;
}


export interface RowsPageResult {
  first: number;
  last: number;
  inferences: { first: number; last: number; unlabeled: number; labeled: number; search: number };
}

export async function benchRowsPage(options: BenchRowsOptions = {}): Promise<RowsPageResult> {
  const total = options.rows ?? 1_000_000;
  const batch = options.batch ?? 20_000;
  const runs = options.runs ?? 15;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), "motion-bench-"));
  const motion = await Motion.open({ app: pagesApp, databaseUrl: `file:${path.join(dir, "bench.db")}`, fitIn: "inline" });
  try {
    const fillStart = performance.now();
    const start = Date.now() - total; // one row per millisecond of history
    for (let done = 0; done < total; done += batch) {
      const n = Math.min(batch, total - done);
      const rows: RowInsert[] = new Array(n);
      const inferences: InferenceInsert[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const ms = start + done + i;
        const createdAt = new Date(ms);
        const id = newId(ms);
        rows[i] = {
          id, relation: "events", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt,
          data: JSON.stringify({ user: `u${(done + i) % 997}`, kind: (done + i) % 3 ? "view" : "click", value: (done + i) % 100 }),
        };
        inferences[i] = {
          id: newId(ms), rowId: id, relation: "events", trigger: "score", route: "events", output: JSON.stringify({ score: (done + i) % 100 }), error: null,
          stateVersion: 0, paramsHash: "bench", inputHash: `h${i}`, latencyMs: 0.05, cached: false, createdAt,
        };
      }
      await motion.db.tx(() => insertIngest(rows, inferences, []));
    }
    log(`filled ${total.toLocaleString()} rows and inferences in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

    const caller = await adminCaller(motion);

    // The cursor whose next page is the last one (setup only, not timed).
    const lastCursor = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "Row" WHERE "relation" = 'events' ORDER BY "id" ASC LIMIT 1 OFFSET 50`));
    if (!lastCursor) throw new Error("not enough rows");

    const time = async (cursor?: string) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const page = await caller.rows.list({ relation: "events", limit: 50, ...(cursor ? { cursor } : {}) });
        samples.push(performance.now() - t);
        if (page.items.length !== 50) throw new Error(`expected 50 rows, got ${page.items.length}`);
        if (cursor && page.nextCursor !== null) throw new Error("the last page should have no next cursor");
      }
      return median(samples.slice(2)); // drop warm-up
    };
    const first = await time();
    const last = await time(lastCursor.id);
    log(`rows.list, 50 rows of ${total.toLocaleString()}: first page ${first.toFixed(2)} ms, last page ${last.toFixed(2)} ms (median of ${runs - 2})`);

    // The Inferences page: the same 50-item pages over the 1M inferences.
    const lastInference = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "Inference" ORDER BY "id" ASC LIMIT 1 OFFSET 50`));
    if (!lastInference) throw new Error("not enough inferences");
    const timeInferences = async (input: Record<string, unknown>, expect: (n: number, next: string | null) => boolean) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const page = await caller.inferences.list({ limit: 50, ...input });
        samples.push(performance.now() - t);
        if (!expect(page.items.length, page.nextCursor)) throw new Error(`inferences.list ${JSON.stringify(input)}: unexpected page (${page.items.length} items)`);
      }
      return median(samples.slice(2));
    };
    // 20 labels spread over the million: a "labeled good" filter must not walk the whole table to fill a page.
    const spread = await motion.db.read(() => all<{ id: string; rowId: string }>(`SELECT "id", "rowId" FROM "Inference" WHERE "id" IN (SELECT "id" FROM "Inference" ORDER BY "id" LIMIT 20 OFFSET 0) OR "id" IN (SELECT "id" FROM "Inference" ORDER BY "id" DESC LIMIT 1)`));
    const labeled = [...spread];
    for (let k = 1; k < 20; k++) {
      const at = await motion.db.read(() => get<{ id: string; rowId: string }>(`SELECT "id", "rowId" FROM "Inference" ORDER BY "id" LIMIT 1 OFFSET ?`, [Math.floor((k * total) / 20)]));
      if (at) labeled.push(at);
    }
    await motion.db.tx(function* () {
      for (const l of labeled) yield* run(`INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "actor", "createdAt") VALUES (?, ?, ?, 'good', 'bench', ?)`, [newId(), l.id, l.rowId, new Date()]);
    });
    const inferences = {
      labeled: await timeInferences({ label: "good" }, (n) => n === 50 || n === labeled.length),
      first: await timeInferences({}, (n) => n === 50),
      last: await timeInferences({ cursor: lastInference.id }, (n, next) => n === 50 && next === null),
      unlabeled: await timeInferences({ trigger: "score", labeled: false }, (n) => n === 50),
      // A word no answer holds: the whole 10,000-inference window is scanned, then the page says how far back it looked.
      search: await timeInferences({ text: "no-answer-says-this" }, (n, next) => n === 0 && next !== null),
    };
    log(`inferences.list of ${total.toLocaleString()}: first ${inferences.first.toFixed(2)} ms, last ${inferences.last.toFixed(2)} ms, unlabeled ${inferences.unlabeled.toFixed(2)} ms, labeled good (${labeled.length} labels spread over all) ${inferences.labeled.toFixed(2)} ms, text search over the newest 10,000 ${inferences.search.toFixed(2)} ms`);
    return { first, last, inferences };
  } finally {
    await motion.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
