// A fit route's backlog is bounded: add waits, rejects or sheds the oldest rows from fitting.
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { all } from "@motion/db";
import { BackpressureError, Motion, defineApp, relation, trigger, type Backpressure, type MotionOptions } from "../src/index.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

function appWith(backpressure: Backpressure) {
  const jobs = relation("jobs", { schema: z.object({ n: z.number().int() }) });
  const t = trigger("worker", {
    setUp: () => ({ done: 0 }),
    routes: [{ relation: jobs, batchSize: 100, maxWaitMs: 1, backpressure, fit: ({ state, rows }) => ({ done: (state.done as number) + rows.length }) }],
  });
  return defineApp({ name: "bp", relations: [jobs], triggers: [t] });
}

const rowsOf = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ n: from + i }));

describe.each(factories)("backpressure on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  async function open(app: MotionOptions["app"], db?: TestDatabase, extra: Partial<MotionOptions> = {}) {
    const database = db ?? (await makeDatabase());
    if (!db) databases.push(database);
    const motion = await Motion.open({ app, databaseUrl: database.url, fitIn: "inline", runFits: false, ...extra });
    opened.push(motion);
    return { motion, database };
  }
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });
  const count = async (motion: Motion, sql: string) => Number((await motion.db.read(() => all<{ n: unknown }>(sql)))[0]!.n);

  it("rejects a batch that would pass the bound, writing nothing of it", async () => {
    const { motion } = await open(appWith({ maxPending: 10, onFull: "reject" }));
    await motion.addMany("jobs", rowsOf(0, 8));
    const error = await motion.addMany("jobs", rowsOf(8, 5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect(error).toMatchObject({ trigger: "worker", route: "jobs", limit: 10, pending: 8, retryAfterMs: 1000 });
    expect(await count(motion, `SELECT COUNT(*) AS "n" FROM "Row"`)).toBe(8);
    await motion.addMany("jobs", rowsOf(8, 2)); // exactly at the bound is fine
    expect(await count(motion, `SELECT COUNT(*) AS "n" FROM "PendingRow"`)).toBe(10);
    const tooBig = await motion.addMany("jobs", rowsOf(100, 11)).catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ name: "BackpressureError", retryAfterMs: 0 });
  });

  it("waits for fits to make room, and gives up after maxWaitMs", async () => {
    const app = appWith({ maxPending: 10, onFull: "wait", maxWaitMs: 300 });
    const { motion, database } = await open(app);
    await motion.addMany("jobs", rowsOf(0, 10));
    const started = Date.now();
    await expect(motion.add("jobs", { n: 10 })).rejects.toBeInstanceOf(BackpressureError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // Now a process that fits starts while an add (from a client that waits longer) waits: it goes through.
    const { motion: patient } = await open(appWith({ maxPending: 10, onFull: "wait", maxWaitMs: 60_000 }), database);
    const waiting = patient.add("jobs", { n: 11 });
    const { motion: worker } = await open(app, database, { runFits: true });
    await waiting;
    await worker.flush();
    expect(await count(motion, `SELECT COUNT(*) AS "n" FROM "Row"`)).toBe(11);
  });

  it("sheds the oldest waiting rows from fitting; they stay stored and are recorded", async () => {
    const { motion } = await open(appWith({ maxPending: 10, onFull: "shed" }));
    const first = await motion.addMany("jobs", rowsOf(0, 10));
    await motion.addMany("jobs", rowsOf(10, 5));
    expect(await count(motion, `SELECT COUNT(*) AS "n" FROM "Row"`)).toBe(15);
    expect(await count(motion, `SELECT COUNT(*) AS "n" FROM "PendingRow"`)).toBe(10);
    const skipped = await motion.db.read(() => all<{ rowIds: unknown; rowCount: unknown; reason: string }>(`SELECT "rowIds", "rowCount", "reason" FROM "FitRun" WHERE "status" = 'skipped'`));
    expect(skipped).toHaveLength(1);
    expect(Number(skipped[0]!.rowCount)).toBe(5);
    const ids = typeof skipped[0]!.rowIds === "string" ? JSON.parse(skipped[0]!.rowIds) : skipped[0]!.rowIds;
    expect(ids).toEqual(first.slice(0, 5).map((r) => r.id));
    expect(skipped[0]!.reason).toBe("backpressure");
    expect(await count(motion, `SELECT COUNT(*) AS "n" FROM "AuditEvent" WHERE "action" = 'fits.shed'`)).toBe(1);
  });

  it("refuses a bad backpressure option when the trigger is declared", () => {
    expect(() => appWith({ maxPending: 0 })).toThrow(/maxPending must be a positive integer/);
    expect(() => appWith({ maxPending: 5, onFull: "drop" as "shed" })).toThrow(/onFull must be/);
  });
});
