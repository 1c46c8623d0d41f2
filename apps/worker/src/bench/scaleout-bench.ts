// P6: scale-out fit throughput (PostgreSQL + BullMQ, two workers) against raw BullMQ no-op
// jobs on the same Redis, and the fit loop's pending-rows query at growing backlogs.
import { Queue, Worker } from "bullmq";
import { all, get, insertMany, type Database } from "@motion/db";
import { createThrowawayDatabase } from "@motion/db/test-support";
import { bullmqScheduler, claimBatches, Motion } from "@motion/engine";
import { FANOUT_TRIGGERS, fanoutApp } from "./fixtures.ts";
import { median, type BenchResult } from "./stats.ts";

const WORKERS = 2;
/** The `motion worker` default: triggers fitted at once per process. */
const CONCURRENCY = 2;
const RAW_JOBS = 4000;
/** Rows per trigger: as many fits as raw jobs (24 × 167 = 4,008), so both sides amortize their start alike. */
const ROWS = Math.ceil(RAW_JOBS / FANOUT_TRIGGERS);
const REPEATS = 3;

async function until(done: () => Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("bench timed out");
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Raw BullMQ: two workers taking no-op jobs, the same concurrency as Motion's workers. */
async function rawJobsPerSecond(redisUrl: string, jobs: number): Promise<number> {
  const name = `motion-p6-raw-${Date.now().toString(36)}`;
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue(name, { connection });
  let completed = 0;
  const workers = Array.from({ length: WORKERS }, () => new Worker(name, async () => undefined, { connection, concurrency: CONCURRENCY }));
  for (const w of workers) w.on("completed", () => completed++);
  try {
    const run = async (n: number) => {
      const target = completed + n;
      const started = performance.now();
      await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: "noop", data: { i }, opts: { removeOnComplete: true } })));
      await until(async () => completed >= target, 120_000);
      return n / ((performance.now() - started) / 1000);
    };
    await run(200); // warm up
    return await run(jobs);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/** Motion: an API-only process adds rows; two worker processes' schedulers fit every trigger. */
async function motionFitsPerSecond(adminUrl: string, redisUrl: string, rows: number): Promise<{ fitsPerSecond: number; fits: number }> {
  const db = await createThrowawayDatabase(adminUrl, "motion_p6_bench");
  const queue = `motion-p6-${Date.now().toString(36)}`;
  const open: Motion[] = [];
  try {
    const api = await Motion.open({ app: fanoutApp, databaseUrl: db.url, runFits: false, scheduler: bullmqScheduler({ redisUrl, queue, consume: false }) });
    open.push(api);
    for (let i = 0; i < WORKERS; i++) {
      // As `motion worker` opens it: fit threads started and the app loaded in them at open.
      open.push(await Motion.open({ app: fanoutApp, databaseUrl: db.url, warmFitThreads: true, scheduler: bullmqScheduler({ redisUrl, queue, concurrency: CONCURRENCY }) }));
    }
    const triggers = fanoutApp.triggers.map((t) => t.name);
    const succeeded = async () => Number((await api.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "FitRun" WHERE "status" = 'succeeded'`)))?.n);
    const run = async (n: number) => {
      // Batch of one row: one fit, one version per row and trigger.
      const target = new Map(triggers.map((t) => [t, api.activeVersion(t) + n]));
      const started = performance.now();
      await api.addMany("ticks", Array.from({ length: n }, (_, i) => ({ n: i })));
      // Done when the API process serves every trigger's last version: committed and seen
      // through LISTEN/NOTIFY. Read from memory, so the bench adds no queries of its own
      // (the raw side counts completions in memory, too).
      await until(async () => triggers.every((t) => api.activeVersion(t) >= target.get(t)!), 300_000, 2);
      return (n * FANOUT_TRIGGERS) / ((performance.now() - started) / 1000);
    };
    await run(3); // warm up: statement plans, state caches
    const before = await succeeded();
    const fitsPerSecond = await run(rows);
    if ((await succeeded()) - before !== rows * FANOUT_TRIGGERS) throw new Error("P6: the fits did not commit one run per row and trigger");
    return { fitsPerSecond, fits: rows * FANOUT_TRIGGERS };
  } finally {
    for (const m of open.reverse()) await m.close();
    await db.drop();
  }
}

/** P6: fits/s of a no-op fit over many triggers vs raw BullMQ no-op jobs/s, same run. */
export async function benchScaleOutFits(adminUrl: string, redisUrl: string, rows = ROWS): Promise<BenchResult> {
  const raw: number[] = [];
  const ours: number[] = [];
  let fits = 0;
  for (let i = 0; i < REPEATS; i++) {
    raw.push(await rawJobsPerSecond(redisUrl, RAW_JOBS));
    const r = await motionFitsPerSecond(adminUrl, redisUrl, rows);
    ours.push(r.fitsPerSecond);
    fits = r.fits;
  }
  const value = median(ours);
  const baseline = median(raw);
  return {
    name: "P6 scale-out fits/s (no-op fit, batch of 1, PostgreSQL + BullMQ, 2 workers) vs raw BullMQ no-op jobs/s",
    value: Math.round(value), unit: "/s", baseline: Math.round(baseline), ratio: value / baseline, goal: "ratio >= 0.8",
    note: `${FANOUT_TRIGGERS} triggers x ${rows} rows = ${fits} fits per run vs ${RAW_JOBS} jobs; both sides ${WORKERS} workers x concurrency ${CONCURRENCY} in this process; runs ${ours.map((v) => v.toFixed(0)).join("/")} vs ${raw.map((v) => v.toFixed(0)).join("/")}`,
  };
}

/** Median milliseconds of `a` and of `b`, sampled alternately so both see the same load. */
async function timeBoth(times: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  await a();
  await b();
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < times; i++) {
    let t0 = performance.now();
    await a();
    sa.push(performance.now() - t0);
    t0 = performance.now();
    await b();
    sb.push(performance.now() - t0);
  }
  return [median(sa), median(sb)];
}

async function addPending(db: Database, from: number, to: number): Promise<void> {
  const createdAt = new Date();
  for (let start = from; start < to; start += 10_000) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(to, start + 10_000); i++) rows.push(["fan00", "ticks", `row${String(i).padStart(9, "0")}`, "2026-01-01", false, createdAt]);
    await db.tx(() => insertMany(`INSERT INTO "PendingRow" ("trigger", "route", "rowId", "partition", "held", "createdAt") VALUES `, 6, rows));
  }
  await db.read(() => get(`ANALYZE "PendingRow"`));
}

class Rollback extends Error {}

/** What every fit-loop round read before claiming, until the pending check moved into the claim. */
const OLD_PENDING_SUMMARY = `SELECT "trigger", "route", COUNT(*) AS "n", MIN("createdAt") AS "oldest" FROM "PendingRow" WHERE "fitRunId" IS NULL AND "held" = ? GROUP BY "trigger", "route"`;

/**
 * Defect 9: the pending-rows work of one fit-loop round at 0, 100k and 200k unclaimed rows.
 * Now: the whole claim of the next batch (locks, readiness, rows taken, run recorded — rolled
 * back here so every sample sees the same backlog). Baseline: the GROUP BY summary over every
 * unclaimed row that each round used to read before claiming.
 */
export async function benchPendingQuery(adminUrl: string): Promise<BenchResult[]> {
  const tdb = await createThrowawayDatabase(adminUrl, "motion_p6_pending");
  const motion = await Motion.open({ app: fanoutApp, databaseUrl: tdb.url, runFits: false });
  const results: BenchResult[] = [];
  try {
    const db = motion.db;
    const route = fanoutApp.trigger("fan00")!.routes[0]!;
    const claim = async () => {
      try {
        await db.tx(function* () {
          const { claims } = yield* claimBatches(db.provider, {
            targets: [{ trigger: "fan00", routes: [{ name: route.name, relation: route.relation.name, batchSize: route.batchSize, maxWaitMs: route.maxWaitMs }], params: {}, paramsHash: "bench", maxAttempts: 3 }],
            owner: "bench", leaseMs: 60_000, now: new Date(), force: false,
          });
          if (have > 0 && claims.length !== 1) throw new Error("the bench claim took no batch");
          throw new Rollback();
        });
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      }
    };
    let have = 0;
    for (const backlog of [0, 100_000, 200_000]) {
      await addPending(db, have, backlog);
      have = backlog;
      const [round, whole] = await timeBoth(30, claim, () => db.read(() => all(OLD_PENDING_SUMMARY, [false])));
      results.push({
        name: `P6q fit round's claim at ${backlog.toLocaleString("en")} pending rows (PostgreSQL)`,
        value: round, unit: "ms", baseline: whole, ratio: round / whole, goal: "flat in the backlog (O(batch))",
        note: "baseline: the GROUP BY summary over every unclaimed row each round read before (the claim came on top)",
      });
    }
  } finally {
    await motion.close();
    await tdb.drop();
  }
  return results;
}
