import { afterAll, describe, expect, it } from "vitest";
import { all, get, toBuffer, toJson } from "@motion/db";
import { Motion } from "../src/index.ts";
import { recoverRuns } from "../src/fit-store.ts";
import { chainApp, type Seen } from "./fixtures/chain-app.ts";
import { databaseFactories, tempFile, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

interface Run {
  id: string;
  status: string;
  rowIds: unknown;
  attempts: number;
  baseVersion: number | null;
  producedVersion: number | null;
  paramsHash: string;
  params: unknown;
  reason: string | null;
  queuedAt: unknown;
  deadLettered: unknown;
}

const runsOf = (m: Motion) => m.db.read(() => all<Run>(`SELECT * FROM "FitRun" WHERE "trigger" = 'chain' ORDER BY "id"`));
const versionsOf = (m: Motion) =>
  m.db.read(() => all<{ version: number; parent: number | null; fitRunId: string | null; entries: unknown }>(`SELECT * FROM "StateVersion" WHERE "trigger" = 'chain' ORDER BY "version"`));

/** What the fits recorded in the newest version's state, read back from the database. */
async function seenAt(m: Motion, version: number): Promise<Seen[]> {
  const v = await m.db.read(() => get<{ entries: unknown }>(`SELECT "entries" FROM "StateVersion" WHERE "trigger" = 'chain' AND "version" = ?`, [version]));
  const checksum = toJson<Record<string, { checksum: string }>>(v!.entries).seen!.checksum;
  const blob = await m.db.read(() => get<{ bytes: unknown }>(`SELECT "bytes" FROM "StateBlob" WHERE "checksum" = ?`, [checksum]));
  return JSON.parse(toBuffer(blob!.bytes).toString("utf8")) as Seen[];
}

/** Every version builds on the one before it, one per successful run, and names that run. */
function expectUnbrokenChain(versions: Awaited<ReturnType<typeof versionsOf>>, runs: Run[]) {
  versions.forEach((v, i) => expect([Number(v.version), v.parent === null ? null : Number(v.parent)]).toEqual([i, i === 0 ? null : i - 1]));
  const succeeded = runs.filter((r) => r.status === "succeeded");
  expect(versions).toHaveLength(succeeded.length + 1);
  for (const r of succeeded) {
    expect(Number(r.producedVersion)).toBe(Number(r.baseVersion) + 1);
    expect(versions[Number(r.producedVersion)]!.fitRunId).toBe(r.id);
  }
}

const modes = ["threads", "inline"] as const;

describe.each(factories)("fit chains on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.cleanup();
  });

  async function open(options: Partial<Parameters<typeof Motion.open>[0]> = {}) {
    const db = await makeDatabase();
    databases.push(db);
    return Motion.open({ app: chainApp, databaseUrl: db.url, ...options });
  }

  it.each(modes)("%s: one claim takes every ready batch; each commits as its own version on the one before", async (fitIn) => {
    const motion = await open({ fitIn, params: { chain: { tag: "t1" } } });
    try {
      await motion.addMany("steps", Array.from({ length: 12 }, (_, n) => ({ n })));
      await motion.flush();
      const runs = await runsOf(motion);
      expect(runs.map((r) => r.status)).toEqual(Array(6).fill("succeeded"));
      // Claimed together (one claim), fitted in row order, two rows a batch.
      expect(new Set(runs.map((r) => String(r.queuedAt))).size).toBe(1);
      expect(runs.map((r) => toJson<string[]>(r.rowIds).length)).toEqual([2, 2, 2, 2, 2, 2]);
      const versions = await versionsOf(motion);
      expectUnbrokenChain(versions, runs);
      // Each fit saw the version its predecessor produced, and the rows in order, once.
      const seen = await seenAt(motion, 6);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5].map((v) => ({ version: v, rows: [2 * v, 2 * v + 1], tag: "t1" })));
      // Params are recorded per run; no run is a drift refit.
      for (const r of runs) {
        expect(toJson(r.params)).toEqual({ tag: "t1" });
        expect(r.paramsHash).toBe(motion.paramsOf("chain").hash);
        expect(r.reason).toBeNull();
      }
      // Every alias move is an event: latest and active moved once per version, in order.
      const events = await motion.db.read(() => all<{ alias: string; fromVersion: number; toVersion: number }>(`SELECT "alias", "fromVersion", "toVersion" FROM "AliasEvent" WHERE "trigger" = 'chain' AND "actor" LIKE 'fit:%' ORDER BY "id"`));
      for (const alias of ["latest", "active"]) {
        expect(events.filter((e) => e.alias === alias).map((e) => [Number(e.fromVersion), Number(e.toVersion)])).toEqual([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
      }
      expect(motion.activeVersion("chain")).toBe(6);
    } finally {
      await motion.close();
    }
  }, 60_000);

  it("a batch that throws is retried per its attempts while the chain goes on from the last good state", async () => {
    const control = tempFile("fails");
    const motion = await open();
    try {
      // Batch 3 (rows 4, 5) fails once.
      await motion.addMany("steps", Array.from({ length: 12 }, (_, n) => (n === 4 ? { n, control, failTimes: 1 } : { n })));
      await motion.flush();
      const runs = await runsOf(motion);
      expect(runs.map((r) => [r.status, Number(r.attempts)])).toEqual([
        ["succeeded", 1], ["succeeded", 1], ["succeeded", 2], ["succeeded", 1], ["succeeded", 1], ["succeeded", 1],
      ]);
      const versions = await versionsOf(motion);
      expectUnbrokenChain(versions, runs);
      // Batches 4-6 fitted on batch 2's version; batch 3's retry came after them, on the newest.
      const seen = await seenAt(motion, 6);
      expect(seen.map((s) => [s.version, s.rows])).toEqual([[0, [0, 1]], [1, [2, 3]], [2, [6, 7]], [3, [8, 9]], [4, [10, 11]], [5, [4, 5]]]);
      expect(Number(runs[2]!.baseVersion)).toBe(5);
      expect(await motion.db.read(() => all(`SELECT "rowId" FROM "PendingRow"`))).toEqual([]);
    } finally {
      await motion.close();
    }
  }, 60_000);

  it("a batch that keeps throwing is dead-lettered alone: the rest of its chain commits", async () => {
    const control = tempFile("dead");
    const motion = await open();
    try {
      await motion.addMany("steps", Array.from({ length: 8 }, (_, n) => (n === 2 ? { n, control, failTimes: 99 } : { n })));
      await motion.flush();
      const runs = await runsOf(motion);
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "failed", "succeeded", "succeeded"]);
      const dead = runs[1]!;
      expect(Number(dead.attempts)).toBe(3);
      expect(dead.deadLettered === true || dead.deadLettered === 1).toBe(true);
      expect(dead.producedVersion).toBeNull();
      const versions = await versionsOf(motion);
      expectUnbrokenChain(versions, runs);
      expect((await seenAt(motion, 3)).map((s) => [s.version, s.rows])).toEqual([[0, [0, 1]], [1, [4, 5]], [2, [6, 7]]]);
      // Its rows stay pending with it, for an operator's retry.
      const pending = await motion.db.read(() => all<{ fitRunId: string }>(`SELECT "fitRunId" FROM "PendingRow"`));
      expect(pending).toEqual([{ fitRunId: dead.id }, { fitRunId: dead.id }]);
    } finally {
      await motion.close();
    }
  }, 60_000);

  it("a fit that hangs in the middle of a chain times out alone: its thread is replaced and the rest commit", async () => {
    // Threads loaded first: a cold thread's first fit would spend its time limit loading the app.
    const motion = await open({ warmFitThreads: true });
    try {
      await motion.addMany("spins", [{ n: 0 }, { n: 1, spin: true }, { n: 2 }, { n: 3 }]);
      await motion.flush();
      const runs = await motion.db.read(() => all<Run & { error: string | null }>(`SELECT * FROM "FitRun" WHERE "trigger" = 'spinner' ORDER BY "id"`));
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "failed", "succeeded", "succeeded"]);
      expect(new Set(runs.map((r) => String(r.queuedAt))).size).toBe(1);
      expect(runs[1]!.error).toMatch(/timed out after 4000 ms/);
      const versions = await motion.db.read(() => all<{ version: number; parent: number | null }>(`SELECT "version", "parent" FROM "StateVersion" WHERE "trigger" = 'spinner' ORDER BY "version"`));
      expect(versions.map((v) => [Number(v.version), v.parent === null ? null : Number(v.parent)])).toEqual([[0, null], [1, 0], [2, 1], [3, 2]]);
      expect(runs.filter((r) => r.status === "succeeded").map((r) => [Number(r.baseVersion), Number(r.producedVersion)])).toEqual([[0, 1], [1, 2], [2, 3]]);
    } finally {
      await motion.close();
    }
  }, 60_000);

  it("a process that dies holding a chain: every run it held is charged one attempt and re-run alone, each batch committed once", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const dead = await Motion.open({ app: chainApp, databaseUrl: db.url, runFits: false });
    await dead.addMany("steps", Array.from({ length: 8 }, (_, n) => ({ n })));
    // This process claims a chain of four batches and "dies" before fitting any.
    const { claims } = await dead.runner.claim([chainApp.trigger("chain")!], false);
    expect(claims).toHaveLength(4);
    const recovered = await dead.db.tx(() => recoverRuns(new Date(), (owner) => owner === dead.runner.owner, () => 0));
    expect(recovered).toBe(4);
    expect((await runsOf(dead)).map((r) => [r.status, Number(r.attempts)])).toEqual(Array(4).fill(["queued", 1]));
    await dead.close();
    const live = await Motion.open({ app: chainApp, databaseUrl: db.url });
    try {
      await live.flush();
      const runs = await runsOf(live);
      expect(runs.map((r) => [r.status, Number(r.attempts)])).toEqual(Array(4).fill(["succeeded", 2]));
      // Retries run alone, oldest first: one claim each, in the chain's order.
      expectUnbrokenChain(await versionsOf(live), runs);
      expect((await seenAt(live, 4)).map((s) => [s.version, s.rows])).toEqual([[0, [0, 1]], [1, [2, 3]], [2, [4, 5]], [3, [6, 7]]]);
    } finally {
      await live.close();
    }
  }, 60_000);

  it("close in the middle of a chain: the batches not started are unclaimed, and fitted once after a restart", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const first = await Motion.open({ app: chainApp, databaseUrl: db.url, closeTimeoutMs: 10_000 });
    await first.addMany("steps", Array.from({ length: 16 }, (_, n) => ({ n, sleepMs: 40 })));
    // Close once the first commit is in, while later batches of the chain wait.
    for (let i = 0; i < 2000 && first.activeVersion("chain") === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(first.activeVersion("chain")).toBeGreaterThan(0);
    await first.close();
    const second = await Motion.open({ app: chainApp, databaseUrl: db.url, runFits: false });
    try {
      const runs = await runsOf(second);
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.length).toBeLessThan(8);
      // Nothing is left running or charged: committed runs, and the rest's rows are pending again.
      expect(runs.every((r) => r.status === "succeeded" && Number(r.attempts) === 1)).toBe(true);
      const pending = await second.db.read(() => all<{ fitRunId: string | null }>(`SELECT "fitRunId" FROM "PendingRow"`));
      expect(pending.length).toBe(16 - 2 * runs.length);
      expect(pending.every((p) => p.fitRunId === null)).toBe(true);
    } finally {
      await second.close();
    }
    const third = await Motion.open({ app: chainApp, databaseUrl: db.url });
    try {
      await third.flush();
      const runs = await runsOf(third);
      expect(runs).toHaveLength(8);
      expectUnbrokenChain(await versionsOf(third), runs);
      expect((await seenAt(third, 8)).flatMap((s) => s.rows)).toEqual(Array.from({ length: 16 }, (_, n) => n));
    } finally {
      await third.close();
    }
  }, 90_000);

  it("a rollback in the middle of a chain: the rest of it is unclaimed, and fits continue from the rolled-back version", async () => {
    const motion = await open();
    try {
      await motion.addMany("steps", Array.from({ length: 16 }, (_, n) => ({ n, sleepMs: 40 })));
      for (let i = 0; i < 4000 && motion.activeVersion("chain") < 2; i++) await new Promise((r) => setTimeout(r, 5));
      expect(motion.activeVersion("chain")).toBeGreaterThanOrEqual(2);
      const { to } = await motion.rollback("chain", 1, { actor: "test", reason: "mid-chain" });
      expect(to).toBe(1);
      await motion.flush();
      const runs = await runsOf(motion);
      const succeeded = runs.filter((r) => r.status === "succeeded");
      // Every row was fitted into exactly one committed version on the active line.
      const versions = await versionsOf(motion);
      const byVersion = new Map(versions.map((v) => [Number(v.version), v]));
      for (const r of succeeded) expect(Number(byVersion.get(Number(r.producedVersion))!.parent)).toBe(Number(r.baseVersion));
      expect(runs.every((r) => r.status === "succeeded" || r.status === "superseded")).toBe(true);
      const active = motion.activeVersion("chain");
      // Walk back from active to 0: the rows on that line are every row once, except the
      // rows of the versions the rollback left behind (fitted again on the new line).
      const line: number[] = [];
      for (let v: number | null = active; v !== null && v > 0; v = byVersion.get(v)!.parent === null ? null : Number(byVersion.get(v)!.parent)) line.push(v);
      const seen = await seenAt(motion, active);
      expect(seen.map((s) => s.version)).toEqual([...line].reverse().map((v) => Number(byVersion.get(v)!.parent)));
      const rowsOnLine = seen.flatMap((s) => s.rows);
      const left = new Set(Array.from({ length: 16 }, (_, n) => n));
      for (const n of rowsOnLine) expect(left.delete(n)).toBe(true);
      // Rows fitted only into abandoned versions are not refitted (rollback does not requeue
      // data rows); they are exactly those of the versions after 1 on the old line.
      const abandoned = succeeded.filter((r) => !line.includes(Number(r.producedVersion)) && Number(r.producedVersion) > 1);
      expect(abandoned.length).toBeGreaterThan(0);
      expect(await motion.db.read(() => all(`SELECT "rowId" FROM "PendingRow"`))).toEqual([]);
      expect(await motion.db.read(() => all(`SELECT "id" FROM "FitRun" WHERE "status" IN ('running', 'queued')`))).toEqual([]);
    } finally {
      await motion.close();
    }
  }, 90_000);
});
