// Two Motion instances on one database stand for two processes (an API process and a
// worker): each has its own connections, memory and caches. What one changes, the other
// must serve — params and active versions — including after its LISTEN session dropped.
import { afterAll, describe, expect, it, vi } from "vitest";
import { all, get, run } from "@motion/db";
import { Motion, type MotionOptions } from "../src/index.ts";
import { scaledApp } from "./fixtures/scaled-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

interface Answer {
  scale: number;
  sum: number;
  version: number;
}

async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function harness(makeDatabase: () => Promise<TestDatabase>) {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });
  return {
    async database() {
      const db = await makeDatabase();
      databases.push(db);
      return db;
    },
    async open(db: TestDatabase, extra: Partial<MotionOptions> = {}) {
      const motion = await Motion.open({ app: scaledApp, databaseUrl: db.url, ...extra });
      opened.push(motion);
      return motion;
    },
  };
}

const ask = async (motion: Motion, value = 1) => {
  const inference = (await motion.add("amounts", { value })).inferences[0]!;
  return { ...(inference.output as Answer), hash: inference.paramsHash };
};

describe.each(factories)("two processes on %s", (_name, makeDatabase) => {
  const h = harness(makeDatabase);

  it("params set in one process are what the other's fits run with and record", async () => {
    const db = await h.database();
    // The worker checks nothing periodically: fits must still get the new params.
    const worker = await h.open(db, { syncIntervalMs: 0 });
    const api = await h.open(db, { runFits: false, syncIntervalMs: 0 });
    const before = worker.paramsOf("scaled").hash;
    const { hash } = await api.setParams("scaled", { scale: 3 }, { actor: "ops" });
    // Compare with what the worker held before: on PostgreSQL the NOTIFY may already have landed.
    expect(hash).not.toBe(before);
    // SQLite: the worker reads params at each claim. PostgreSQL: they arrive by NOTIFY, like
    // versions (eventual, in notification latency) — wait for that, not for a lucky race.
    if (worker.db.provider === "postgresql") await vi.waitFor(() => expect(worker.paramsOf("scaled").hash).toBe(hash), { timeout: 5_000, interval: 10 });

    await api.addMany("amounts", [{ value: 2 }, { value: 5 }]);
    await worker.flush();
    const runs = await worker.db.read(() => all<{ params: unknown; paramsHash: string; status: string }>(`SELECT "params", "paramsHash", "status" FROM "FitRun" ORDER BY "id"`));
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.status).toBe("succeeded");
      expect(run.paramsHash).toBe(hash);
      expect(typeof run.params === "string" ? JSON.parse(run.params) : run.params).toEqual({ scale: 3 });
    }
    // The fits really used them: 2·3 + 5·3.
    expect(await ask(worker)).toMatchObject({ scale: 3, sum: 21, hash });
  });

  it("infer in another process follows setParams and rollbacks, and records the params it used", async () => {
    const db = await h.database();
    const follower = await h.open(db, { syncIntervalMs: 200 });
    const api = await h.open(db, { runFits: false });
    const before = await ask(follower);
    expect(before).toMatchObject({ scale: 1, version: 0 });

    const { hash } = await api.setParams("scaled", { scale: 7 }, { actor: "ops" });
    const after = await eventually("follower's params", () => ask(follower), (a) => a.scale === 7);
    expect(after.hash).toBe(hash);
    await follower.flush();
    expect(follower.activeVersion("scaled")).toBeGreaterThan(0);

    await api.rollback("scaled", 0, { actor: "ops", reason: "bad batch", pin: true });
    const rolled = await eventually("follower's version", () => ask(follower), (a) => a.version === 0);
    expect(rolled).toMatchObject({ version: 0, sum: 0, scale: 7 });

    // Every stored inference names the params hash that matches what its output shows.
    const stored = await follower.db.read(() => all<{ output: unknown; paramsHash: string }>(`SELECT "output", "paramsHash" FROM "Inference"`));
    const hashOf = new Map([[1, before.hash], [7, hash]]);
    for (const row of stored) {
      const output = (typeof row.output === "string" ? JSON.parse(row.output) : row.output) as Answer;
      expect(row.paramsHash).toBe(hashOf.get(output.scale));
    }
  });

  it("the periodic check catches a change nobody broadcast (a lost notification)", async () => {
    const db = await h.database();
    const follower = await h.open(db, { syncIntervalMs: 200 });
    await follower.add("amounts", { value: 1 });
    await follower.flush();
    expect(follower.activeVersion("scaled")).toBe(1);
    // Move the alias and store params behind every process's back: no NOTIFY at all.
    const other = await h.open(db, { runFits: false, syncIntervalMs: 0 });
    await other.db.tx(() => run(`UPDATE "StateAlias" SET "version" = 0, "pinned" = ? WHERE "trigger" = 'scaled' AND "name" = 'active'`, [true]));
    await other.db.tx(() => run(`INSERT INTO "TriggerParams" ("trigger", "params", "paramsHash", "updatedBy", "updatedAt") VALUES ('scaled', ?, 'by-hand', 'dba', ?)`, [JSON.stringify({ scale: 4 }), new Date()]));
    const answer = await eventually("follower", () => ask(follower, 0), (a) => a.version === 0 && a.scale === 4, 3000);
    expect(answer.sum).toBe(0);
  });
});

const postgres = factories.find(([name]) => name === "postgresql");

describe.runIf(postgres)("a process whose LISTEN session dropped (postgresql)", () => {
  const h = harness(postgres![1]);

  it("reloads aliases and params after the session is re-opened", async () => {
    const db = await h.database();
    // No periodic check: only the reconnect may bring the follower up to date.
    const follower = await h.open(db, { syncIntervalMs: 0 });
    const listeners = async () =>
      (await follower.db.read(() => all<{ pid: number }>(`SELECT "pid" FROM pg_stat_activity WHERE "datname" = current_database() AND "query" LIKE 'LISTEN %'`))).map((r) => Number(r.pid));
    const [pid] = await listeners();
    expect(pid).toBeGreaterThan(0);
    const api = await h.open(db, { runFits: false, syncIntervalMs: 0 });

    await api.add("amounts", { value: 4 });
    await follower.flush();
    expect(follower.activeVersion("scaled")).toBe(1);

    await api.db.read(() => get(`SELECT pg_terminate_backend(?)`, [pid]));
    await eventually("terminated listener", listeners, (pids) => !pids.includes(pid!), 2000);
    // Both broadcasts go out while the follower is not listening.
    await api.rollback("scaled", 0, { actor: "ops", reason: "while it was away", pin: true });
    const { hash } = await api.setParams("scaled", { scale: 9 }, { actor: "ops" });

    await eventually("follower's version and params", () => ask(follower), (a) => a.version === 0 && a.scale === 9);
    expect(follower.activeVersion("scaled")).toBe(0);
    expect(follower.paramsOf("scaled").hash).toBe(hash);
    // It listens again: a later broadcast arrives without any reconnect.
    await eventually("re-opened listener", listeners, (pids) => pids.length === 2, 3000);
    await api.unpin("scaled", { actor: "ops" });
    await api.rollback("scaled", 1, { actor: "ops", pin: true });
    await eventually("follower's version", async () => follower.activeVersion("scaled"), (v) => v === 1, 2000);
  });
});
