import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { all, get } from "@motion/db";
import { Motion, NotFoundError, ValidationError, type MotionOptions } from "../src/index.ts";
import { counterApp, flakyApp, heavyApp, learnerApp, vectorApp } from "./fixtures/apps.ts";
import { databaseFactories, tempFile, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("engine on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];

  async function open(app: MotionOptions["app"], database?: TestDatabase, extra: Partial<MotionOptions> = {}) {
    const db = database ?? (await makeDatabase());
    if (!database) databases.push(db);
    const motion = await Motion.open({ app, databaseUrl: db.url, ...extra });
    opened.push(motion);
    return { motion, db };
  }

  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });

  it("rejects a batch with one invalid row, names the row and zod path, and writes nothing", async () => {
    const { motion } = await open(counterApp);
    const error = await motion
      .addMany("events", [{ value: 1 }, { value: 2 }, { value: "three" }, { value: 4, label: 5 }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.issues.map((i) => [i.index, i.path.join(".")])).toEqual([
      [2, "value"],
      [3, "label"],
    ]);
    expect(v.message).toContain("row 2 at value");
    const rows = await motion.db.read(() => all(`SELECT "id" FROM "Row"`));
    const inferences = await motion.db.read(() => all(`SELECT "id" FROM "Inference"`));
    expect(rows).toHaveLength(0);
    expect(inferences).toHaveLength(0);
    expect(await motion.hasRows()).toBe(false);
    await expect(motion.add("nope", { value: 1 })).rejects.toBeInstanceOf(NotFoundError);
    await motion.add("events", { value: 1 });
    expect(await motion.hasRows()).toBe(true);
  });

  it("alsoWrite runs in the rows' transaction: its writes commit with them, its failure writes nothing", async () => {
    const { motion } = await open(counterApp);
    const seen: string[] = [];
    const ok = await motion.add("events", { value: 1 }, {
      *alsoWrite(results) {
        seen.push(...results.map((r) => r.id));
        // The rows are visible inside the same transaction.
        return yield* get(`SELECT "id" FROM "Row" WHERE "id" = ?`, [results[0]!.id]);
      },
    });
    expect(seen).toEqual([ok.id]);
    const error = await motion
      .addMany("events", [{ value: 2 }, { value: 3 }], {
        *alsoWrite() {
          yield* get(`SELECT 1 AS "x"`);
          throw new Error("refused");
        },
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("refused");
    const rows = await motion.db.read(() => all(`SELECT "id" FROM "Row"`));
    expect(rows).toHaveLength(1);
    const pending = await motion.db.read(() => all(`SELECT "rowId" FROM "PendingRow" WHERE "rowId" <> ?`, [ok.id]));
    expect(pending).toHaveLength(0);
  });

  it("stores the row and its inference, returns the output, and fits a new version", async () => {
    const { motion } = await open(counterApp);
    const first = await motion.add("events", { value: 10, tag: "a" });
    expect(first.key).toBe("a");
    expect(first.inferences).toHaveLength(1);
    const inf = first.inferences[0]!;
    expect(inf).toMatchObject({ trigger: "counter", route: "events", stateVersion: 0, cached: false, error: null });
    expect(inf.output).toEqual({ sum: 0, count: 0, version: 0, doubled: 20 });
    const stored = await motion.db.read(() => get<{ stateVersion: number; rowId: string }>(`SELECT "stateVersion", "rowId" FROM "Inference" WHERE "id" = ?`, [inf.id]));
    expect(stored).toMatchObject({ stateVersion: 0, rowId: first.id });
    await motion.flush();
    expect(motion.activeVersion("counter")).toBe(1);
    const next = await motion.add("events", { value: 1 });
    expect(next.inferences[0]!.output).toMatchObject({ sum: 10, count: 1, version: 1 });
    const run = await motion.db.read(() => get<{ status: string; producedVersion: number; metrics: unknown; rowCount: number }>(`SELECT * FROM "FitRun" WHERE "producedVersion" = 1`));
    expect(run).toMatchObject({ status: "succeeded", rowCount: 1 });
    expect(JSON.parse(String(typeof run!.metrics === "string" ? run!.metrics : JSON.stringify(run!.metrics)))).toEqual({ rows: 1 });
  });

  it("serializes fits: many concurrent adds never lose an update", async () => {
    const { motion } = await open(counterApp);
    const values = Array.from({ length: 120 }, (_, i) => i + 1);
    await Promise.all(values.map((value) => motion.add("events", { value })));
    await motion.flush();
    const expected = values.reduce((a, b) => a + b, 0);
    const out = (await motion.add("events", { value: 0 })).inferences[0]!.output as { sum: number; count: number; version: number };
    expect(out.sum).toBe(expected);
    expect(out.count).toBe(120);
    const versions = await motion.db.read(() => all<{ version: number; parent: number | null }>(`SELECT "version", "parent" FROM "StateVersion" WHERE "trigger" = 'counter' ORDER BY "version"`));
    // A single chain: every version builds on the one before it.
    versions.forEach((v, i) => expect([v.version, v.parent]).toEqual([i, i === 0 ? null : i - 1]));
    expect(versions.length).toBeGreaterThanOrEqual(120 / 5 + 1);
  });

  it("infer sees a deeply frozen active state; typed arrays round-trip bit-exactly", async () => {
    const { motion, db } = await open(vectorApp);
    const r = await motion.add("vectors", { values: [0.25, -2] });
    const out = r.inferences[0]!.output as { attempts: Record<string, string>; first: number };
    expect(out.attempts).toEqual({ jsonNested: "TypeError", jsonTop: "TypeError", typedIndex: "TypeError", typedFill: "TypeError", typedSubarray: "TypeError" });
    expect(out.first).toBe(1.5);
    await motion.flush();
    await motion.close();
    // Reopen from storage: no in-memory cache can hide a lossy round trip.
    const { motion: again } = await open(vectorApp, db);
    const state = (again as unknown as { active: Map<string, { view: Record<string, unknown> }> }).active.get("vector-index")!.view;
    const index = state.index as Float32Array;
    expect(index).toBeInstanceOf(Float32Array);
    expect(Array.from(new Uint32Array(index.buffer.slice(0))).slice(0, 6)).toEqual(Array.from(new Uint32Array(specialBits())));
    expect(Array.from(index.slice(6))).toEqual([0.25, -2]);
    expect(Object.is(index[1], -0)).toBe(true);
    expect(Buffer.isBuffer(state.raw)).toBe(true);
    expect([...(state.raw as Buffer)]).toEqual([0, 1, 2, 254, 255]);
    expect(Array.from(state.ids as Int32Array)).toEqual([7, -7]);
    expect(state.meta).toEqual({ dims: 3, names: ["a", "n8"] });
    const blobs = await again.db.read(() => all<{ checksum: string; size: number }>(`SELECT "checksum", "size" FROM "StateBlob"`));
    expect(blobs.every((b) => /^[0-9a-f]{64}$/.test(b.checksum))).toBe(true);
  });

  it("caches duplicate queries per version and params, never across versions", async () => {
    const { motion } = await open(counterApp);
    const a = await motion.add("events", { value: 3 });
    const b = await motion.add("events", { value: 3 });
    expect(a.inferences[0]!.cached).toBe(false);
    expect(b.inferences[0]!.cached).toBe(true);
    expect(b.inferences[0]!.output).toEqual(a.inferences[0]!.output);
    await motion.flush();
    const c = await motion.add("events", { value: 3 });
    expect(c.inferences[0]!.stateVersion).toBeGreaterThan(a.inferences[0]!.stateVersion);
    expect(c.inferences[0]!.cached).toBe(false);
    expect((c.inferences[0]!.output as { sum: number }).sum).toBe(6);
    // New params: a new params hash, so no cache hit either.
    await motion.flush();
    const before = await motion.add("events", { value: 5 });
    await motion.setParams("counter", { scale: 3 }, { actor: "test" });
    const after = await motion.add("events", { value: 5 });
    expect(after.inferences[0]!.paramsHash).not.toBe(before.inferences[0]!.paramsHash);
    expect(after.inferences[0]!.cached).toBe(false);
    expect((after.inferences[0]!.output as { doubled: number }).doubled).toBe(30);
  });

  it("rolls back: active moves, infer uses it, fits continue from it, history is attributed", async () => {
    const { motion } = await open(counterApp);
    for (const value of [1, 2, 4]) {
      await motion.addMany("events", Array.from({ length: 5 }, () => ({ value })));
      await motion.flush();
    }
    expect(motion.activeVersion("counter")).toBe(3);
    const moved = await motion.rollback("counter", 1, { actor: "alice@example.com", reason: "bad batch" });
    expect(moved).toEqual({ from: 3, to: 1, requeuedLabels: 0, migratedFrom: null });
    const during = await motion.add("events", { value: 100 });
    expect(during.inferences[0]!.output).toMatchObject({ sum: 5, version: 1 });
    await motion.flush();
    const v4 = await motion.db.read(() => get<{ version: number; parent: number }>(`SELECT "version", "parent" FROM "StateVersion" WHERE "trigger" = 'counter' AND "version" = 4`));
    expect(v4).toEqual({ version: 4, parent: 1 });
    expect((await motion.add("events", { value: 0 })).inferences[0]!.output).toMatchObject({ sum: 105, version: 4 });
    const history = await motion.db.read(() => all<{ alias: string; fromVersion: number | null; toVersion: number; actor: string; reason: string | null }>(`SELECT "alias", "fromVersion", "toVersion", "actor", "reason" FROM "AliasEvent" WHERE "trigger" = 'counter' ORDER BY "id"`));
    expect(history.find((h) => h.actor === "alice@example.com")).toEqual({ alias: "active", fromVersion: 3, toVersion: 1, actor: "alice@example.com", reason: "bad batch" });
    expect(history.filter((h) => h.alias === "latest").map((h) => h.toVersion)).toEqual([0, 1, 2, 3, 4]);
    await expect(motion.rollback("counter", 99, { actor: "x" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("a pinned rollback holds fits until unpinned", async () => {
    const { motion } = await open(counterApp);
    await motion.addMany("events", Array.from({ length: 5 }, () => ({ value: 1 })));
    await motion.flush();
    await motion.rollback("counter", 0, { actor: "bob", reason: "freeze", pin: true });
    await motion.addMany("events", Array.from({ length: 5 }, () => ({ value: 1 })));
    await motion.flush();
    expect(motion.activeVersion("counter")).toBe(0);
    const pending = await motion.db.read(() => get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "PendingRow" WHERE "trigger" = 'counter'`));
    expect(Number(pending!.n)).toBe(5);
    await motion.unpin("counter", { actor: "bob", reason: "thawed" });
    await motion.flush();
    expect(motion.activeVersion("counter")).toBe(2);
    // The unpin is audited by the engine, in the move's transaction.
    const entries = (await motion.auditEvents({ action: "state.unpin", limit: 10 })).items;
    expect(entries.map((e) => [e.actor, e.target, e.reason])).toEqual([["bob", "counter", "thawed"]]);
  });

  it("retries a failing fit with backoff, then succeeds without touching state in between", async () => {
    const { motion } = await open(flakyApp);
    const control = tempFile("attempts");
    await motion.add("jobs", { control, failTimes: 2 });
    await motion.flush();
    const run = await motion.db.read(() => get<{ status: string; attempts: number; producedVersion: number; error: string | null }>(`SELECT * FROM "FitRun" WHERE "trigger" = 'flaky'`));
    expect(run).toMatchObject({ status: "succeeded", attempts: 3, producedVersion: 1, error: null });
    expect(fs.readFileSync(control, "utf8")).toBe("3");
  });

  it("dead-letters after maxAttempts: state untouched, rows kept pending, error and stack kept; retry recovers", async () => {
    const { motion } = await open(flakyApp);
    const control = tempFile("attempts");
    await motion.add("jobs", { control, failTimes: 5 });
    await motion.flush();
    const run = await motion.db.read(() => get<{ id: string; status: string; attempts: number; deadLettered: unknown; error: string; errorStack: string }>(`SELECT * FROM "FitRun" WHERE "trigger" = 'flaky'`));
    expect(run).toMatchObject({ status: "failed", attempts: 3 });
    expect(run!.deadLettered === true || run!.deadLettered === 1).toBe(true);
    expect(run!.error).toBe("planned failure 3 of 5");
    expect(run!.errorStack).toContain("fixtures/apps.ts");
    expect(motion.activeVersion("flaky")).toBe(0);
    const versions = await motion.db.read(() => all(`SELECT "version" FROM "StateVersion" WHERE "trigger" = 'flaky'`));
    expect(versions).toHaveLength(1);
    const pending = await motion.db.read(() => all<{ fitRunId: string }>(`SELECT "fitRunId" FROM "PendingRow" WHERE "trigger" = 'flaky'`));
    expect(pending).toEqual([{ fitRunId: run!.id }]);
    // Operator retries: fresh attempts; the 6th attempt overall succeeds.
    await motion.retryFit(run!.id, { actor: "ops", reason: "fixed upstream" });
    await motion.flush();
    const after = await motion.db.read(() => get<{ status: string; attempts: number }>(`SELECT * FROM "FitRun" WHERE "id" = ?`, [run!.id]));
    expect(after!.status).toBe("succeeded");
    expect(motion.activeVersion("flaky")).toBe(1);
    await expect(motion.retryFit(run!.id, { actor: "ops" })).rejects.toThrow(/only dead-lettered/);
  });

  it("runs fits off the main thread: infer answers while a CPU-bound fit spins", async () => {
    const { motion } = await open(heavyApp);
    // Warm the fit worker thread first, so the test measures fitting, not module loading.
    await motion.add("heavy", { spinMs: 0 });
    await motion.flush();
    expect(motion.activeVersion("heavy")).toBe(1);
    await motion.add("heavy", { spinMs: 1500 });
    // Wait until the fit is running, then infer repeatedly while it spins.
    for (let i = 0; i < 500; i++) {
      const running = await motion.db.read(() => get(`SELECT "id" FROM "FitRun" WHERE "status" = 'running'`));
      if (running) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const answered: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await motion.add("heavy", { spinMs: 0 });
      answered.push((r.inferences[0]!.output as { fits: number }).fits);
    }
    const stillRunning = await motion.db.read(() => get(`SELECT "id" FROM "FitRun" WHERE "status" = 'running'`));
    // All five answers came back while the heavy fit was still running, on the version before it.
    expect(stillRunning).toBeDefined();
    expect(answered).toEqual([1, 1, 1, 1, 1]);
    // A caller adding in a tight loop must not starve the fit's completion: the loop ends
    // when infer sees a newer version (bounded, so a starved fit fails the test).
    let seen = 1;
    for (let i = 0; i < 200_000 && seen === 1; i++) {
      seen = ((await motion.add("heavy", { spinMs: 0 })).inferences[0]!.output as { fits: number }).fits;
    }
    expect(seen).toBeGreaterThanOrEqual(2);
  }, 90_000);

  // On PostgreSQL every add waits on I/O, so other work runs during it anyway.
  // Registered only where it applies (a provider-specific test is not a skipped one).
  if (_name === "sqlite") it("an add yields to other queued work only when its caller never lets the event loop turn", async () => {
    const { motion } = await open(counterApp);
    // A caller that lets the loop turn between adds (a server, a paced client): work queued
    // meanwhile (a retention batch, a drift check) must wait for the add, not run inside it.
    let intruded = 0;
    let adds = 0;
    for (const end = performance.now() + 300; performance.now() < end || adds < 50; adds++) {
      let ran = false;
      setImmediate(() => (ran = true));
      await motion.add("events", { value: 1 });
      if (ran) intruded++;
      // A turn of the loop's check phase (a timer can chain into the next add within one timers
      // phase when the machine is slow, which is no turn at all).
      await new Promise((r) => setImmediate(r));
    }
    expect(adds).toBeGreaterThan(20);
    expect(intruded).toBe(0);
    // A tight loop still yields (every few ms), so queued work does get its turn.
    let ran = false;
    setImmediate(() => (ran = true));
    for (let i = 0; i < 100_000 && !ran; i++) await motion.add("events", { value: 1 });
    expect(ran).toBe(true);
  });

  it("two processes on one database: fits stay serialized and infer follows the other's commits", async () => {
    const { motion: a, db } = await open(counterApp);
    const { motion: b } = await open(counterApp, db);
    const values = Array.from({ length: 60 }, (_, i) => i + 1);
    await Promise.all(values.map((value, i) => (i % 2 ? a : b).add("events", { value })));
    await Promise.all([a.flush(), b.flush()]);
    const versions = await a.db.read(() => all<{ version: number; parent: number | null }>(`SELECT "version", "parent" FROM "StateVersion" WHERE "trigger" = 'counter' ORDER BY "version"`));
    versions.forEach((v, i) => expect([v.version, v.parent]).toEqual([i, i === 0 ? null : i - 1]));
    const superseded = await a.db.read(() => all(`SELECT "id" FROM "FitRun" WHERE "status" = 'superseded'`));
    expect(superseded).toHaveLength(0);
    const latest = versions.at(-1)!.version;
    // Each process serves infer from the latest version, whoever committed it. PostgreSQL
    // broadcasts commits (LISTEN/NOTIFY); SQLite is one process per file, so refresh by hand.
    for (const m of [a, b]) {
      if (_name === "sqlite") await m.refresh("counter");
      for (let i = 0; i < 200 && m.activeVersion("counter") !== latest; i++) await new Promise((r) => setTimeout(r, 10));
      expect((await m.add("events", { value: 0 })).inferences[0]!.output).toMatchObject({ sum: 1830, count: 60, version: latest });
    }
  });

  it("survives a restart: state, versions and pending rows persist", async () => {
    const slow = { ...counterApp, triggers: counterApp.triggers };
    const { motion, db } = await open(slow);
    await motion.addMany("events", Array.from({ length: 5 }, () => ({ value: 2 })));
    await motion.flush();
    // Two rows that wait for a batch (batchSize 5) when we stop.
    await motion.addMany("events", [{ value: 7 }, { value: 8 }]);
    await motion.close();
    const pendingRows = await (async () => {
      const { motion: m } = await open(counterApp, db, { runFits: false });
      const n = await m.db.read(() => get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "PendingRow"`));
      expect(m.activeVersion("counter")).toBe(1);
      await m.close();
      return Number(n!.n);
    })();
    expect(pendingRows).toBe(2);
    const { motion: reopened } = await open(counterApp, db);
    await reopened.flush();
    expect(reopened.activeVersion("counter")).toBe(2);
    expect((await reopened.add("events", { value: 0 })).inferences[0]!.output).toMatchObject({ sum: 25, count: 7 });
  });

  it("feedback is a relation: labels land as rows and a trigger fits on them", async () => {
    const { motion } = await open(learnerApp);
    const q = await motion.add("questions", { text: "what is motion?" });
    const inferenceId = q.inferences[0]!.id;
    await motion.feedback(inferenceId, { label: "bad", correction: { answer: "A framework" }, note: "too loud", actor: "labeler@example.com" });
    await motion.feedback(inferenceId, { label: "good", actor: "other@example.com" });
    await motion.flush();
    const stored = await motion.db.read(() => all<{ label: string; actor: string }>(`SELECT "label", "actor" FROM "Feedback" WHERE "inferenceId" = ? ORDER BY "id"`, [inferenceId]));
    expect(stored).toEqual([
      { label: "bad", actor: "labeler@example.com" },
      { label: "good", actor: "other@example.com" },
    ]);
    const state = (motion as unknown as { active: Map<string, { view: Record<string, unknown> }> }).active.get("learner")!.view;
    expect(state).toMatchObject({ good: 1, bad: 1, corrections: [{ input: { text: "what is motion?" }, output: "WHAT IS MOTION?", correction: { answer: "A framework" } }] });
    await expect(motion.feedback("missing", { label: "good", actor: "x" })).rejects.toBeInstanceOf(NotFoundError);
    // Route filters: long-only infers only on long questions; labels on its inferences go
    // to the feedback relation but not to learner's feedback route (another trigger's).
    const short = await motion.add("questions", { text: "short one" });
    expect(short.inferences.map((i) => i.trigger)).toEqual(["learner"]);
    const long = await motion.add("questions", { text: "a much longer question than that" });
    expect(long.inferences.map((i) => i.trigger).sort()).toEqual(["learner", "long-only"]);
    const other = long.inferences.find((i) => i.trigger === "long-only")!;
    await motion.feedback(other.id, { label: "bad", actor: "labeler@example.com" });
    await motion.flush();
    const after = (motion as unknown as { active: Map<string, { view: Record<string, unknown> }> }).active.get("learner")!.view;
    expect(after).toMatchObject({ good: 1, bad: 1 });
    const labelRows = await motion.db.read(() => all(`SELECT "id" FROM "Row" WHERE "relation" = 'feedback'`));
    expect(labelRows).toHaveLength(3);
    await expect(motion.feedback(inferenceId, { label: "meh" as "good", actor: "x" })).rejects.toBeInstanceOf(ValidationError);
  });
});

function specialBits(): ArrayBuffer {
  const f = new Float32Array(6);
  f.set([1.5, -0, Number.MIN_VALUE, 3.4028234663852886e38, Number.NaN, -Infinity]);
  new Uint32Array(f.buffer)[4] = 0x7fc00abc;
  return f.buffer;
}
