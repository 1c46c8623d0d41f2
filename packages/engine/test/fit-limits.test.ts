import { afterAll, describe, expect, it } from "vitest";
import { get } from "@motion/db";
import { Motion } from "../src/index.ts";
import { hangApp, hangInlineApp } from "./fixtures/hang-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

interface RunRow {
  id: string;
  status: string;
  attempts: number;
  deadLettered: unknown;
  error: string | null;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Threads stop a spinning fit; inline mode can only stop waiting on a fit that yields.
const modes = [
  ["threads", hangApp, "spin"],
  ["inline", hangInlineApp, "wait"],
] as const;

describe.each(factories)("fit time limits on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.cleanup();
  });

  async function open(app: typeof hangApp, fitThreads?: number) {
    const db = await makeDatabase();
    databases.push(db);
    return Motion.open({ app, databaseUrl: db.url, closeTimeoutMs: 300, fitThreads });
  }

  const runOf = (motion: Motion, trigger: string) => motion.db.read(() => get<RunRow>(`SELECT * FROM "FitRun" WHERE "trigger" = ?`, [trigger]));

  /** close() is bounded although a fit never returns. */
  async function closeWithin(motion: Motion, ms: number) {
    const started = performance.now();
    await motion.close();
    expect(performance.now() - started).toBeLessThan(ms);
  }

  it.each(modes)("%s: a fit past maxDurationMs counts a failed attempt, is retried, then dead-lettered", async (_mode, app, mode) => {
    const motion = await open(app);
    try {
      await motion.add("tasks", { mode });
      await motion.flush();
      const run = await runOf(motion, "stuck");
      expect(run).toMatchObject({ status: "failed", attempts: 2 });
      expect(run!.deadLettered === true || run!.deadLettered === 1).toBe(true);
      expect(run!.error).toMatch(/^fit timed out after 1500 ms \(maxDurationMs\)/);
      expect(motion.activeVersion("stuck")).toBe(0);
      // No longer "running" forever: an operator can retry it.
      await motion.retryFit(run!.id, { actor: "ops" });
      await until("the retried fit to start", () => runOf(motion, "stuck"), (r) => r?.status === "running");
    } finally {
      await closeWithin(motion, 5_000);
    }
  }, 60_000);

  it.each(modes)("%s: a hung fit does not starve other triggers; close() stops it and gives its run back unspent", async (_mode, app, mode) => {
    const motion = await open(app);
    try {
      await motion.add("blocks", { mode });
      await until("the blocking fit to start", () => runOf(motion, "blocker"), (r) => r?.status === "running");
      await motion.addMany("ticks", [{ n: 1 }, { n: 2 }, { n: 3 }]);
      await until("steady to fit all three", async () => motion.activeVersion("steady"), (v) => v === 3);
      expect(await runOf(motion, "blocker")).toMatchObject({ status: "running", attempts: 1 });
      expect((await motion.add("ticks", { n: 0 })).inferences[0]!.output).toBe(6);
    } finally {
      await closeWithin(motion, 5_000);
    }
    const db = databases.at(-1)!;
    const reader = await Motion.open({ app, databaseUrl: db.url, runFits: false });
    try {
      expect(await runOf(reader, "blocker")).toMatchObject({ status: "queued", attempts: 0, error: null });
    } finally {
      await reader.close();
    }
  }, 90_000);
});

// Scheduling inside the thread pool is the same on every database: SQLite only.
describe("fit thread pool", () => {
  const cleanups: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of cleanups) await d.cleanup();
  });
  const makeSqlite = factories.find(([name]) => name === "sqlite")![1];
  const runOf = (motion: Motion, trigger: string) => motion.db.read(() => get<RunRow>(`SELECT * FROM "FitRun" WHERE "trigger" = ?`, [trigger]));

  it("with one fit thread, triggers take turns: the other trigger fits between the hung fit's attempts", async () => {
    const db = await makeSqlite();
    cleanups.push(db);
    const motion = await Motion.open({ app: hangApp, databaseUrl: db.url, closeTimeoutMs: 300, fitThreads: 1 });
    try {
      await motion.add("tasks", { mode: "spin" });
      await until("the stuck fit to start", () => runOf(motion, "stuck"), (r) => r?.status === "running");
      await motion.add("ticks", { n: 5 });
      // Its fit waits for the only thread, then runs before the stuck fit's retry does.
      await until("steady to fit", async () => motion.activeVersion("steady"), (v) => v === 1);
      const stuckNow = await runOf(motion, "stuck");
      expect(stuckNow!.status).not.toBe("failed");
      await motion.flush();
      expect(await runOf(motion, "stuck")).toMatchObject({ status: "failed", attempts: 2 });
    } finally {
      await motion.close();
    }
  }, 60_000);
});
