import { afterAll, describe, expect, it } from "vitest";
import { get, run } from "@motion/db";
import { Motion, type TriggerFitActivity } from "../src/index.ts";
import { hangApp } from "./fixtures/hang-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

const byName = (triggers: TriggerFitActivity[]) => Object.fromEntries(triggers.map((t) => [t.trigger, t]));

describe.each(factories)("fit activity on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  const opened: Motion[] = [];
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });

  it("counts pending, held-by-pin, claimed and running work per trigger, from the database", async () => {
    const db = await makeDatabase();
    databases.push(db);
    // This process runs no fits: whatever it reports comes from the database.
    const web = await Motion.open({ app: hangApp, databaseUrl: db.url, runFits: false });
    opened.push(web);
    const quiet = await web.fitActivity();
    expect(quiet.idle).toBe(true);
    expect(quiet.triggers.map((t) => t.trigger)).toEqual(["stuck", "blocker", "steady"]);
    expect(byName(quiet.triggers).steady).toEqual({ trigger: "steady", pending: 0, held: 0, scheduled: 0, claimed: 0, running: 0, retrying: 0, deadLettered: 0, pinned: false, nextRetryAt: null, idle: true });

    const [first] = await web.addMany("ticks", [{ n: 1 }, { n: 2 }, { n: 3 }]);
    // A row held back by drift is waiting for a verdict or an operator, not for a fit.
    await web.db.tx(() => run(`UPDATE "PendingRow" SET "held" = ? WHERE "rowId" = ?`, [true, first!.id]));
    let activity = await web.fitActivity();
    expect(activity.idle).toBe(false);
    expect(byName(activity.triggers).steady).toMatchObject({ pending: 2, held: 1, idle: false });

    // A pinned trigger's rows wait for an operator: not busy.
    await web.rollback("steady", 0, { actor: "ops", pin: true });
    activity = await web.fitActivity();
    expect(byName(activity.triggers).steady).toMatchObject({ pending: 2, held: 1, pinned: true, idle: true });
    expect(activity.idle).toBe(true);
    await web.unpin("steady", { actor: "ops" });

    // Another process fits; a hung fit shows as running with its rows claimed.
    const worker = await Motion.open({ app: hangApp, databaseUrl: db.url, closeTimeoutMs: 200 });
    opened.push(worker);
    await web.add("blocks", { mode: "spin" });
    for (let i = 0; i < 1200; i++) {
      activity = await web.fitActivity();
      const t = byName(activity.triggers);
      if (t.blocker!.running === 1 && t.steady!.idle) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(byName(activity.triggers).blocker).toMatchObject({ pending: 0, claimed: 1, running: 1, idle: false });
    expect(byName(activity.triggers).steady).toMatchObject({ pending: 0, held: 1, claimed: 0, running: 0, idle: true });
    expect(activity.idle).toBe(false);
    // Closing the worker gives the run back: it waits to run again, so still busy.
    await worker.close();
    activity = await web.fitActivity();
    expect(byName(activity.triggers).blocker).toMatchObject({ pending: 0, claimed: 1, running: 0, retrying: 1, idle: false });
    const blocked = await web.db.read(() => get<{ status: string }>(`SELECT "status" FROM "FitRun" WHERE "trigger" = 'blocker'`));
    expect(blocked?.status).toBe("queued");
  }, 90_000);
});
