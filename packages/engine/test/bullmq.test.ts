import { Queue, Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { all } from "@motion/db";
import { createThrowawayDatabase, requirePostgres, requireRedis } from "@motion/db/test-support";
import { bullmqScheduler, Motion } from "../src/index.ts";
import { counterApp } from "./fixtures/apps.ts";
import { scheduledApp } from "./fixtures/scheduled-app.ts";

const admin = await requirePostgres();
const redisUrl = await requireRedis();

describe.skipIf(!admin || !redisUrl)("scale-out: PostgreSQL + BullMQ workers", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("an API-only process enqueues, two worker processes fit, the API process serves the new version", async () => {
    const db = await createThrowawayDatabase(admin!, "motion_bullmq");
    cleanups.push(() => db.drop());
    const queue = `motion-test-${Date.now().toString(36)}`;
    // The web/API process: runs infer, runs no fits, only announces new rows.
    const api = await Motion.open({ app: counterApp, databaseUrl: db.url, runFits: false, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, consume: false }) });
    const workers = await Promise.all(
      [1, 2].map(() => Motion.open({ app: counterApp, databaseUrl: db.url, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, pollMs: 200 }) })),
    );
    cleanups.push(async () => {
      await api.close();
      for (const w of workers) await w.close();
    });

    const values = Array.from({ length: 40 }, (_, i) => i + 1);
    await Promise.all(values.map((value) => api.add("events", { value })));
    await api.flush();

    const runs = await api.db.read(() => all<{ status: string }>(`SELECT "status" FROM "FitRun"`));
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    const versions = await api.db.read(() => all<{ version: number; parent: number | null }>(`SELECT "version", "parent" FROM "StateVersion" WHERE "trigger" = 'counter' ORDER BY "version"`));
    versions.forEach((v, i) => expect([v.version, v.parent]).toEqual([i, i === 0 ? null : i - 1]));
    const latest = versions.at(-1)!.version;
    // The API process learns of commits made elsewhere through LISTEN/NOTIFY.
    for (let i = 0; i < 200 && api.activeVersion("counter") !== latest; i++) await new Promise((r) => setTimeout(r, 10));
    const answer = await api.add("events", { value: 0 });
    expect(answer.inferences[0]!.output).toMatchObject({ sum: 820, count: 40, version: latest });
  });

  it("scheduled ticks: two BullMQ workers racing the same ticks queue one run each, which a worker fits", async () => {
    const db = await createThrowawayDatabase(admin!, "motion_bullmq_sched");
    cleanups.push(() => db.drop());
    const queue = `motion-test-sched-${Date.now().toString(36)}`;
    let now = new Date("2026-03-02T09:30:00Z");
    const schedules = { auto: false, now: () => now };
    const api = await Motion.open({ app: scheduledApp, databaseUrl: db.url, runFits: false, schedules, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, consume: false }) });
    const workers = await Promise.all([1, 2].map(() => Motion.open({ app: scheduledApp, databaseUrl: db.url, schedules, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, pollMs: 200 }) })));
    cleanups.push(async () => {
      await api.close();
      for (const w of workers) await w.close();
    });
    await Promise.all(workers.map((w) => w.schedules.runDue()));
    for (let hour = 10; hour <= 12; hour++) {
      await api.addMany("events", [{ n: hour }, { n: hour + 100 }]);
      now = new Date(`2026-03-02T${hour}:00:01Z`);
      await Promise.all(workers.map((w) => w.schedules.runDue()));
    }
    await api.flush();
    const runs = await api.db.read(() => all<{ status: string; rowCount: number }>(`SELECT "status", "rowCount" FROM "FitRun" WHERE "trigger" = 'hourly' AND "reason" = 'schedule' ORDER BY "queuedAt"`));
    expect(runs.map((r) => [r.status, Number(r.rowCount)])).toEqual([["succeeded", 2], ["succeeded", 2], ["succeeded", 2]]);
  });

  it("duplicate jobs for one trigger, on two workers, commit each batch exactly once", async () => {
    const db = await createThrowawayDatabase(admin!, "motion_bullmq_dup");
    cleanups.push(() => db.drop());
    const queue = `motion-test-dup-${Date.now().toString(36)}`;
    const api = await Motion.open({ app: counterApp, databaseUrl: db.url, runFits: false, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, consume: false }) });
    await api.addMany("events", Array.from({ length: 25 }, () => ({ value: 2 })));
    // At-least-once delivery: the same job many times, with no deduplication, before any
    // worker is up; then two workers take them concurrently.
    const raw = new Queue(queue, { connection: { url: redisUrl! } });
    await raw.addBulk(Array.from({ length: 12 }, () => ({ name: "fit", data: { trigger: "counter" } })));
    await raw.close();
    const workers = await Promise.all([1, 2].map(() => Motion.open({ app: counterApp, databaseUrl: db.url, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, pollMs: 0, concurrency: 3 }) })));
    cleanups.push(async () => {
      await api.close();
      for (const w of workers) await w.close();
    });
    await api.flush();
    const versions = await api.db.read(() => all<{ version: number; parent: number | null; fitRunId: string | null }>(`SELECT "version", "parent", "fitRunId" FROM "StateVersion" WHERE "trigger" = 'counter' ORDER BY "version"`));
    expect(versions.map((v) => v.version)).toEqual([0, 1, 2, 3, 4, 5]);
    versions.forEach((v, i) => expect(v.parent).toBe(i === 0 ? null : i - 1));
    expect(new Set(versions.slice(1).map((v) => v.fitRunId)).size).toBe(5);
    const consumed = await api.db.read(() => all<{ rowCount: number }>(`SELECT "rowCount" FROM "FitRun" WHERE "status" = 'succeeded'`));
    expect(consumed.reduce((a, r) => a + Number(r.rowCount), 0)).toBe(25);
    for (let i = 0; i < 200 && api.activeVersion("counter") !== 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await api.add("events", { value: 0 })).inferences[0]!.output).toMatchObject({ sum: 50, count: 25, version: 5 });
  });

  it("flush decides from the database: a job left active by a dead worker does not hold it", async () => {
    const db = await createThrowawayDatabase(admin!, "harden2_bullmq_flush");
    cleanups.push(() => db.drop());
    const queue = `motion-test-flush-${Date.now().toString(36)}`;
    const api = await Motion.open({ app: counterApp, databaseUrl: db.url, runFits: false, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, consume: false }) });
    // A worker that took a job and died: the job stays "active" in Redis, its lock unrenewed,
    // until BullMQ's stalled-job check runs (tens of seconds later).
    const raw = new Queue(queue, { connection: { url: redisUrl! } });
    await raw.add("fit", { trigger: "counter" });
    const dead = new Worker(queue, null, { connection: { url: redisUrl! }, autorun: false });
    const orphan = await dead.getNextJob("dead-worker-token");
    expect(orphan).toBeDefined();
    await dead.close(true);
    const worker = await Motion.open({ app: counterApp, databaseUrl: db.url, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, pollMs: 200 }) });
    cleanups.push(async () => {
      await raw.close();
      await api.close();
      await worker.close();
    });
    await api.addMany("events", Array.from({ length: 12 }, () => ({ value: 1 })));
    expect(await raw.getJobState(orphan!.id!)).toBe("active");
    await api.flush();
    // Flush returned while BullMQ still counts the dead worker's job as active: it did not
    // wait for the stalled-job check (~30 s), whatever the machine's speed.
    expect(await raw.getJobState(orphan!.id!)).toBe("active");
    // It returned because the work is done, not early.
    const runs = await api.db.read(() => all<{ status: string; rowCount: number }>(`SELECT "status", "rowCount" FROM "FitRun"`));
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    expect(runs.reduce((a, r) => a + Number(r.rowCount), 0)).toBe(12);
    const pending = await api.db.read(() => all(`SELECT "rowId" FROM "PendingRow"`));
    expect(pending).toHaveLength(0);
  }, 90_000);
});
