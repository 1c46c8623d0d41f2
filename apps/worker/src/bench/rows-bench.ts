/**
 * Benchmark: server time of one `rows.list` page (50 rows) on a relation of 1M rows, at the
 * first page and at the last page (keyset cursor, never OFFSET). Fills a temp SQLite database
 * with batched multi-row inserts, then calls the procedure through the API's server-side caller
 * with a signed-in admin's session (auth + validation + query + serialisation-free result).
 *
 *   npm run bench -- rows        (part of `npm run bench`)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { defineApp, Motion, relation } from "@motion/engine";
import { get, insertIngest, newId, type RowInsert } from "@motion/db";
import { createMotionApi } from "@motion/api";

const events = relation("events", { schema: z.object({ user: z.string(), kind: z.string(), value: z.number() }) });
const benchApp = defineApp({ name: "bench", relations: [events], triggers: [] });

export interface BenchRowsOptions {
  rows?: number;
  batch?: number;
  runs?: number;
  log?: (line: string) => void;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchRowsPage(options: BenchRowsOptions = {}): Promise<{ first: number; last: number }> {
  const total = options.rows ?? 1_000_000;
  const batch = options.batch ?? 20_000;
  const runs = options.runs ?? 15;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), "motion-bench-"));
  const motion = await Motion.open({ app: benchApp, databaseUrl: `file:${path.join(dir, "bench.db")}`, fitIn: "inline" });
  try {
    const fillStart = performance.now();
    const start = Date.now() - total; // one row per millisecond of history
    for (let done = 0; done < total; done += batch) {
      const n = Math.min(batch, total - done);
      const rows: RowInsert[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const ms = start + done + i;
        const createdAt = new Date(ms);
        rows[i] = {
          id: newId(ms), relation: "events", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt,
          data: JSON.stringify({ user: `u${(done + i) % 997}`, kind: (done + i) % 3 ? "view" : "click", value: (done + i) % 100 }),
        };
      }
      await motion.db.tx(() => insertIngest(rows, [], []));
    }
    log(`filled ${total.toLocaleString()} rows in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

    const api = createMotionApi({ motion, baseURL: "http://127.0.0.1", secret: "bench-secret-bench-secret-bench-secret!" });
    const admin = { email: "bench@motion.local", password: "bench-password" };
    await api.ensureAdmin(admin);
    const signIn = await api.handle(new Request("http://127.0.0.1/api/auth/sign-in/email", { method: "POST", headers: { "content-type": "application/json", origin: "http://127.0.0.1" }, body: JSON.stringify(admin) }));
    const cookie = (signIn.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
    if (!signIn.ok || !cookie) throw new Error(`bench sign-in failed: ${signIn.status}`);
    const caller = api.createCaller(new Headers({ cookie }));

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
    return { first, last };
  } finally {
    await motion.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
