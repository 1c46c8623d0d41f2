// Scheduled triggers on SQLite and PostgreSQL with a simulated schedule clock: a tick fits the
// rows since the last run (or none), several processes claim each tick exactly once, missed
// ticks follow runOnce / skip, and bad schedules are refused when the trigger is defined.
import { afterAll, describe, expect, it } from "vitest";
import { all } from "@motion/db";
import { z } from "zod";
import { Motion, relation, trigger, ValidationError, type MotionOptions } from "../src/index.ts";
import { scheduledApp } from "./fixtures/scheduled-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

/** A clock the test moves by hand. */
function clock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => void (now = new Date(next)) };
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
    async open(db: TestDatabase, now: () => Date, extra: Partial<MotionOptions> = {}) {
      const motion = await Motion.open({ app: scheduledApp, databaseUrl: db.url, fitIn: "inline", schedules: { auto: false, now }, ...extra });
      opened.push(motion);
      return motion;
    },
  };
}

const stateOf = async (motion: Motion, t: string) => (await motion.runner["deps"].store.load(t, motion.activeVersion(t))).state;

describe.each(factories)("scheduled triggers on %s", (_name, makeDatabase) => {
  const h = harness(makeDatabase);

  it("a tick fits the rows since the last run, a quiet tick fits none; rows still fit per batch on the other route", async () => {
    const db = await h.database();
    const c = clock("2026-03-02T10:30:00Z");
    const motion = await h.open(db, c.now);
    // First sight: a baseline, nothing run.
    const first = await motion.schedules.runDue();
    expect(first.find((o) => o.trigger === "hourly")!.outcome).toEqual({ kind: "baseline", tickAt: new Date("2026-03-02T10:00:00Z") });

    await motion.addMany("events", [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await motion.flush();
    let state = await stateOf(motion, "hourly");
    expect(state).toMatchObject({ seen: 0, ticks: 0, perBatch: 3 });
    const activity = (await motion.fitActivity()).triggers.find((t) => t.trigger === "hourly")!;
    // Rows waiting for the tick are not work flush waits for.
    expect(activity).toMatchObject({ pending: 0, scheduled: 3, idle: true });
    expect((await motion.schedules.runDue()).find((o) => o.trigger === "hourly")!.outcome.kind).toBe("none");

    c.set("2026-03-02T11:00:05Z");
    const tick = (await motion.schedules.runDue()).find((o) => o.trigger === "hourly")!.outcome;
    expect(tick).toMatchObject({ kind: "run", tickAt: new Date("2026-03-02T11:00:00Z"), missed: 0, rows: 3 });
    await motion.flush();
    state = await stateOf(motion, "hourly");
    expect(state).toMatchObject({ seen: 3, ticks: 1, reasons: ["schedule:3"] });

    await motion.add("events", { n: 4 });
    c.set("2026-03-02T12:00:00Z");
    await motion.schedules.runDue();
    await motion.flush();
    c.set("2026-03-02T13:00:00.500Z");
    const quiet = (await motion.schedules.runDue()).find((o) => o.trigger === "hourly")!.outcome;
    expect(quiet).toMatchObject({ kind: "run", rows: 0 });
    await motion.flush();
    state = await stateOf(motion, "hourly");
    expect(state).toMatchObject({ seen: 4, ticks: 3, perBatch: 4, reasons: ["schedule:3", "schedule:1", "schedule:0"] });

    // Scheduled runs are fit runs (reason "schedule") that produced versions.
    const runs = await motion.db.read(() => all<{ reason: string | null; status: string; producedVersion: unknown; route: string }>(
      `SELECT "reason", "status", "producedVersion", "route" FROM "FitRun" WHERE "trigger" = 'hourly' AND "route" = 'tick' ORDER BY "queuedAt"`,
    ));
    expect(runs.map((r) => [r.reason, r.status])).toEqual([["schedule", "succeeded"], ["schedule", "succeeded"], ["schedule", "succeeded"]]);
    const [info] = await motion.schedules.list({ trigger: "hourly" });
    expect(info).toMatchObject({
      trigger: "hourly", route: "tick", cron: "0 * * * *", timezone: "UTC", missed: "runOnce", nextRunAt: new Date("2026-03-02T14:00:00Z"),
      lastTickAt: new Date("2026-03-02T13:00:00Z"), pendingRows: 0,
    });
    expect(info!.lastRun).toMatchObject({ kind: "run", status: "succeeded", rows: 0, producedVersion: motion.activeVersion("hourly") });
    const history = await motion.schedules.history("hourly", "tick");
    expect(history.items.map((t) => t.kind)).toEqual(["run", "run", "run", "baseline"]);
    expect(history.nextCursor).toBeNull();
    // Pages of one: every tick once, newest first, the cursor the last tick's instant.
    const onePage = await motion.schedules.history("hourly", "tick", { limit: 1 });
    expect(onePage.nextCursor).toBe(onePage.items[0]!.tickAt.toISOString());
    const walked = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor !== null; pages++) {
      const page = await motion.schedules.history("hourly", "tick", { limit: 1, cursor });
      walked.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(walked).toEqual(history.items);
    await expect(motion.schedules.history("hourly", "tick", { cursor: "yesterday" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("three processes racing the same ticks run each tick exactly once", async () => {
    const db = await h.database();
    const c = clock("2026-03-02T08:15:00Z");
    const processes = [await h.open(db, c.now), await h.open(db, c.now), await h.open(db, c.now)];
    await Promise.all(processes.map((m) => m.schedules.runDue()));
    for (let hour = 9; hour <= 14; hour++) {
      await processes[hour % 3]!.add("events", { n: hour });
      c.set(`2026-03-02T${String(hour).padStart(2, "0")}:00:00.${hour}Z`);
      // Each one twice, all at once: only one claim per tick can win.
      await Promise.all([...processes, ...processes].map((m) => m.schedules.runDue()));
    }
    await Promise.all(processes.map((m) => m.flush()));
    const ticks = await processes[0]!.db.read(() => all<{ tickAt: unknown; n: unknown }>(
      `SELECT "tickAt", COUNT(*) AS "n" FROM "ScheduleTick" WHERE "trigger" = 'hourly' AND "kind" = 'run' GROUP BY "tickAt"`,
    ));
    expect(ticks).toHaveLength(6);
    expect(ticks.every((t) => Number(t.n) === 1)).toBe(true);
    const runs = await processes[0]!.db.read(() => all<{ status: string }>(`SELECT "status" FROM "FitRun" WHERE "trigger" = 'hourly' AND "reason" = 'schedule'`));
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    await processes[1]!.refresh("hourly"); // SQLite: other processes' versions arrive by polling
    const state = await stateOf(processes[1]!, "hourly");
    expect(state).toMatchObject({ ticks: 6, seen: 6 });
  });

  it("ticks missed while nothing ran: runOnce runs one catch-up at start, skip runs none of them", async () => {
    const db = await h.database();
    const c = clock("2026-01-05T06:30:00Z");
    const before = await h.open(db, c.now);
    await before.schedules.runDue(); // baselines: 06:00 UTC, and 08:00 UTC of Jan 4 (09:00 Berlin)
    await before.add("events", { n: 1 });
    await before.flush();
    await before.close();

    // Everything was down for two days. On start the first pass runs at once (auto).
    c.set("2026-01-07T10:20:00Z");
    const after = await h.open(db, c.now, { schedules: { auto: true, now: c.now } });
    const until = Date.now() + 10_000;
    // The pass claims route after route: wait for the last one (skipping/daily), not just the first.
    let history = (await after.schedules.history("hourly", "tick")).items;
    let daily = (await after.schedules.history("skipping", "daily")).items;
    while ((history.length < 2 || daily.length < 2) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      history = (await after.schedules.history("hourly", "tick")).items;
      daily = (await after.schedules.history("skipping", "daily")).items;
    }
    expect(history[0]).toMatchObject({ kind: "run", tickAt: new Date("2026-01-07T10:00:00Z"), missed: 51 });
    await after.flush();
    expect(await stateOf(after, "hourly")).toMatchObject({ ticks: 1, seen: 1 });

    // skip: Berlin 09:00 = 08:00 UTC on Jan 7, claimed at 10:20 UTC: late, recorded, not run.
    expect(daily[0]).toMatchObject({ kind: "skipped", tickAt: new Date("2026-01-07T08:00:00Z"), missed: 3 });
    expect(daily[0]!.run).toBeNull();
    expect(await stateOf(after, "skipping")).toMatchObject({ ticks: 0 });
    // The next one, on time, runs.
    c.set("2026-01-08T08:00:02Z");
    const next = (await after.schedules.runDue()).find((o) => o.trigger === "skipping")!.outcome;
    expect(next).toMatchObject({ kind: "run", missed: 0 });
    await after.flush();
    expect(await stateOf(after, "skipping")).toMatchObject({ ticks: 1 });
    const [info] = await after.schedules.list({ trigger: "skipping" });
    expect(info).toMatchObject({ timezone: "Europe/Berlin", missed: "skip", nextRunAt: new Date("2026-01-09T08:00:00Z") });
  });

  it("a scheduled fit that returns nothing commits no version: the run succeeds without one", async () => {
    const db = await h.database();
    const c = clock("2026-03-02T10:05:00Z");
    const motion = await h.open(db, c.now);
    await motion.schedules.runDue();
    for (const at of ["10:10:00", "10:20:00", "10:30:00"]) {
      c.set(`2026-03-02T${at}Z`);
      await motion.schedules.runDue();
      await motion.flush();
    }
    expect(motion.activeVersion("polling")).toBe(1);
    const runs = await motion.db.read(() => all<{ status: string; producedVersion: unknown }>(`SELECT "status", "producedVersion" FROM "FitRun" WHERE "trigger" = 'polling' ORDER BY "queuedAt"`));
    expect(runs.map((r) => [r.status, r.producedVersion === null ? null : Number(r.producedVersion)])).toEqual([["succeeded", 1], ["succeeded", null], ["succeeded", null]]);
    const [info] = await motion.schedules.list({ trigger: "polling" });
    expect(info!.lastRun).toMatchObject({ status: "succeeded", producedVersion: null, rows: 0 });
  });

  it("runNow queues a manual run with the rows so far (audited); the next tick takes only later rows", async () => {
    const db = await h.database();
    const c = clock("2026-03-02T10:30:00Z");
    const motion = await h.open(db, c.now);
    await motion.schedules.runDue();
    await motion.addMany("events", [{ n: 1 }, { n: 2 }]);
    const manual = await motion.schedules.runNow("hourly", undefined, { actor: "ops@example.com", reason: "test" });
    expect(manual).toMatchObject({ trigger: "hourly", route: "tick", rows: 2 });
    await motion.flush();
    await motion.add("events", { n: 3 });
    c.set("2026-03-02T11:00:00Z");
    expect((await motion.schedules.runDue()).find((o) => o.trigger === "hourly")!.outcome).toMatchObject({ kind: "run", rows: 1 });
    await motion.flush();
    expect(await stateOf(motion, "hourly")).toMatchObject({ seen: 3, ticks: 2 });
    const audit = await motion.db.read(() => all<{ action: string; target: string }>(`SELECT "action", "target" FROM "AuditEvent" WHERE "action" = 'schedules.runNow'`));
    expect(audit).toEqual([{ action: "schedules.runNow", target: "hourly/tick" }]);
    await expect(motion.schedules.runNow("hourly", "live", { actor: "ops" })).rejects.toThrow(/no scheduled route live/);
    await expect(motion.schedules.runNow("nope", undefined, { actor: "ops" })).rejects.toThrow(/unknown trigger/);
  });
});

describe("schedule validation", () => {
  const rel = relation("things", { schema: z.object({ x: z.number() }) });
  const define = (schedule: unknown, fit = true) =>
    trigger("t", { routes: [{ relation: rel, ...(fit ? { fit: () => ({}) } : { infer: () => 1 }), schedule: schedule as never }] });
  const issue = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return { path: (error as ValidationError).issues[0]!.path, message: (error as Error).message };
    }
    throw new Error("expected a ValidationError");
  };

  it("refuses a bad cron, an unknown time zone, a bad policy and a schedule without fit, naming the path", () => {
    expect(issue(() => define({ cron: "every hour" }))).toMatchObject({ path: ["schedule", "cron"], message: expect.stringContaining("route t/things at schedule.cron") });
    expect(issue(() => define({ cron: "61 * * * *" })).path).toEqual(["schedule", "cron"]);
    expect(issue(() => define({ cron: "0 * * * *", timezone: "Mars/Olympus" })).path).toEqual(["schedule", "timezone"]);
    expect(issue(() => define({ cron: "0 * * * *", missed: "twice" })).path).toEqual(["schedule", "missed"]);
    expect(issue(() => define({ cron: "0 * * * *", maxRows: 0 })).path).toEqual(["schedule", "maxRows"]);
    expect(issue(() => define({ cron: "0 * * * *" }, false)).path).toEqual(["schedule"]);
    expect(() => define({ cron: "*/5 * * * *", timezone: "Europe/Berlin" })).not.toThrow();
  });
});
