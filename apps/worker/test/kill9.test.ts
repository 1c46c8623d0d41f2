// Fault test, on every CI run: two `motion worker` processes on PostgreSQL + Redis fit while
// workers are SIGKILLed in the middle of fits and restarted. Every row must be fitted exactly
// once and the version chain must have no gap. Without PostgreSQL or Redis this file fails in
// CI (MOTION_REQUIRE_SERVICES=1 / CI=true) and is skipped loudly elsewhere.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { all, get } from "@motion/db";
import { createThrowawayDatabase, requirePostgres, requireRedis } from "@motion/db/test-support";
import { bullmqScheduler, Motion } from "@motion/engine";
import { ledgerApp } from "./fixtures/ledger-app.ts";

const admin = await requirePostgres();
const redisUrl = await requireRedis();
const bin = path.resolve(import.meta.dirname, "../bin/motion.mjs");
const appModule = path.resolve(import.meta.dirname, "fixtures/ledger-app.ts");

const ROWS = 120;
const KILLS = 3;

describe.skipIf(!admin || !redisUrl)("kill -9: motion worker processes on PostgreSQL + Redis", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  }, 60_000);

  it(`${KILLS} workers killed mid-fit: every row fitted exactly once, no version gaps`, async () => {
    const started = performance.now();
    const db = await createThrowawayDatabase(admin!, "harden2_kill9");
    cleanups.push(() => db.drop());
    const queue = `motion-kill9-${Date.now().toString(36)}-${process.pid}`;
    const web = await Motion.open({ app: ledgerApp, databaseUrl: db.url, runFits: false, scheduler: bullmqScheduler({ redisUrl: redisUrl!, queue, consume: false }) });
    const workers = new Set<ChildProcess>();
    cleanups.push(async () => {
      for (const w of workers) w.kill("SIGKILL");
      await web.close();
    });
    const ready = new Map<ChildProcess, Promise<void>>();
    const startWorker = () => {
      const child = spawn(process.execPath, [bin, "worker", "--app", appModule, "--database-url", db.url, "--queue", queue], {
        env: { ...process.env, MOTION_REDIS_URL: redisUrl!, MOTION_LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "ignore"],
      });
      workers.add(child);
      child.once("exit", () => workers.delete(child));
      ready.set(child, new Promise<void>((resolve) => {
        let out = "";
        child.stdout!.on("data", (d) => {
          out += d;
          if (out.includes("worker running fits")) resolve();
        });
      }));
      return child;
    };
    const runningOn = (pid: number) =>
      web.db.read(() => get<{ id: string }>(`SELECT "id" FROM "FitRun" WHERE "status" = 'running' AND "leaseOwner" LIKE ?`, [`${os.hostname()}:${pid}:%`]));

    startWorker();
    startWorker();
    const amounts = Array.from({ length: ROWS }, (_, i) => i + 1);
    // Rows arrive in slices while the kills happen.
    const slices = Array.from({ length: KILLS + 1 }, (_, k) => amounts.slice((k * ROWS) / (KILLS + 1), ((k + 1) * ROWS) / (KILLS + 1)));
    const killedRuns: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      await web.addMany("entries", slices[k]!.map((amount) => ({ amount })));
      // Wait until some worker is inside a fit (of a batch not killed before), then kill it
      // with SIGKILL and start another.
      let victim: { child: ChildProcess; run: string } | null = null;
      for (let i = 0; i < 1200 && !victim; i++) {
        for (const child of workers) {
          const run = await runningOn(child.pid!);
          if (run && !killedRuns.includes(run.id)) victim = { child, run: run.id };
        }
        if (!victim) await new Promise((r) => setTimeout(r, 25));
      }
      expect(victim, "a worker was fitting").not.toBeNull();
      victim!.child.kill("SIGKILL");
      await new Promise((r) => victim!.child.once("exit", r));
      killedRuns.push(victim!.run);
      startWorker();
    }
    await web.addMany("entries", slices[KILLS]!.map((amount) => ({ amount })));
    await web.flush();

    const rowIds = (await web.db.read(() => all<{ id: string }>(`SELECT "id" FROM "Row" WHERE "relation" = 'entries'`))).map((r) => r.id).sort();
    expect(rowIds).toHaveLength(ROWS);
    // Every row was consumed by exactly one successful run.
    const succeeded = await web.db.read(() => all<{ id: string; rowIds: unknown }>(`SELECT "id", "rowIds" FROM "FitRun" WHERE "status" = 'succeeded'`));
    const consumed = succeeded.flatMap((r) => (typeof r.rowIds === "string" ? JSON.parse(r.rowIds) : r.rowIds) as string[]);
    expect(consumed.length).toBe(ROWS);
    expect([...consumed].sort()).toEqual(rowIds);
    expect(await web.db.read(() => all(`SELECT "rowId" FROM "PendingRow"`))).toEqual([]);
    // The killed runs were re-run (as later attempts) and committed.
    const killed = await web.db.read(() => all<{ status: string; attempts: number }>(`SELECT "status", "attempts" FROM "FitRun" WHERE "id" IN (${killedRuns.map(() => "?").join(", ")})`, killedRuns));
    expect(killed).toHaveLength(new Set(killedRuns).size);
    expect(killed.every((r) => r.status === "succeeded" && Number(r.attempts) >= 2)).toBe(true);
    // One unbroken chain: each version builds on the one before, one per successful run.
    const versions = await web.db.read(() => all<{ version: number; parent: number | null }>(`SELECT "version", "parent" FROM "StateVersion" WHERE "trigger" = 'ledger' ORDER BY "version"`));
    versions.forEach((v, i) => expect([Number(v.version), v.parent === null ? null : Number(v.parent)]).toEqual([i, i === 0 ? null : i - 1]));
    expect(versions).toHaveLength(succeeded.length + 1);
    // The state saw every row once.
    const latest = versions.at(-1)!.version;
    for (let i = 0; i < 200 && web.activeVersion("ledger") !== latest; i++) await new Promise((r) => setTimeout(r, 10));
    await web.refresh("ledger");
    const state = (web as unknown as { active: Map<string, { view: { count: number; sum: number; fitted: string[] } }> }).active.get("ledger")!.view;
    expect(state.count).toBe(ROWS);
    expect(state.sum).toBe((ROWS * (ROWS + 1)) / 2);
    expect([...state.fitted].sort()).toEqual(rowIds);
    // The workers still up stop cleanly.
    await Promise.all([...workers].map((w) => ready.get(w)));
    const stopped = [...workers].map((w) => new Promise<number | null>((resolve) => w.once("exit", (code) => resolve(code))));
    for (const w of workers) w.kill("SIGTERM");
    expect(await Promise.all(stopped)).toEqual([0, 0]);
    const seconds = (performance.now() - started) / 1000;
    console.log(`kill -9 test: ${ROWS} rows, ${KILLS} kills, ${succeeded.length} commits, ${seconds.toFixed(1)} s`);
  }, 120_000);
});
