// Schedule procedures: list (next / last run, policy), history, preview of a cron expression
// (bad cron or time zone: BAD_REQUEST naming the field), and the admin's runNow.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineApp, relation, trigger } from "@motion/engine";
import { databaseFactories, failure, openEnv, type TestEnv } from "./harness.ts";

const factories = await databaseFactories();

const pings = relation("pings", { schema: z.object({ n: z.number() }) });
const poller = trigger("poller", {
  setUp: () => ({ polls: 0 }),
  routes: [{ name: "every5", relation: pings, schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin", missed: "skip" }, fit: ({ state }) => ({ polls: (state.polls as number) + 1 }) }],
});
const scheduledApp = defineApp({ name: "api-schedules", relations: [pings], triggers: [poller] });

describe.each(factories)("schedules API on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  const now = new Date("2026-06-01T10:02:00Z");
  beforeAll(async () => {
    env = await openEnv(makeDatabase, { motion: { app: scheduledApp, schedules: { auto: false, now: () => now } } });
  });
  afterAll(async () => env?.close());

  it("lists schedules with next run, policy and last run; runNow is admin-only and shows up as the last run", async () => {
    const viewer = env.caller("viewer");
    await env.motion.schedules.runDue(); // baseline
    await env.motion.add("pings", { n: 1 });
    const before = await viewer.schedules.list();
    expect(before.items).toEqual([
      expect.objectContaining({ trigger: "poller", route: "every5", relation: "pings", cron: "*/5 * * * *", timezone: "Europe/Berlin", missed: "skip", nextRunAt: new Date("2026-06-01T10:05:00Z"), lastRun: null, pendingRows: 1 }),
    ]);
    expect((await failure(() => viewer.schedules.runNow({ trigger: "poller" }))).code).toBe("FORBIDDEN");
    const ran = await env.caller("admin").schedules.runNow({ trigger: "poller", reason: "check" });
    expect(ran).toMatchObject({ trigger: "poller", route: "every5", rows: 1 });
    await env.motion.flush();
    const after = await viewer.schedules.list({ trigger: "poller" });
    expect(after.items[0]!.lastRun).toMatchObject({ kind: "manual", status: "succeeded", rows: 1, producedVersion: 1, runId: ran.runId });
    const history = await viewer.schedules.history({ trigger: "poller" });
    expect(history.items.map((t) => t.kind)).toEqual(["manual", "baseline"]);
    // The run is a fit run marked as scheduled.
    const fits = await viewer.fits.list({ trigger: "poller" });
    expect(fits.items[0]).toMatchObject({ id: ran.runId, reason: "schedule", status: "succeeded" });
    const t = await viewer.triggers.get({ trigger: "poller" });
    expect(t.routes[0]!.schedule).toEqual({ cron: "*/5 * * * *", timezone: "Europe/Berlin", missed: "skip" });
  });

  it("two runNow in the same millisecond (a double click): the second is a CONFLICT, not a server error", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T10:03:00.123Z") });
    try {
      const admin = env.caller("admin");
      const first = await admin.schedules.runNow({ trigger: "poller", reason: "once" });
      expect(first.tickAt).toEqual(new Date("2026-06-01T10:03:00.123Z"));
      const second = await failure(() => admin.schedules.runNow({ trigger: "poller", reason: "twice" }));
      expect(second.code).toBe("CONFLICT");
      expect(second.message).toMatch(/was asked for at 2026-06-01T10:03:00.123Z already/);
    } finally {
      vi.useRealTimers();
    }
    await env.motion.flush();
  });

  it("previews a cron expression; a bad cron or time zone is BAD_REQUEST at its path; unknown triggers are NOT_FOUND", async () => {
    const viewer = env.caller("viewer");
    const preview = await viewer.schedules.preview({ cron: "0 9 * * 1", timezone: "America/New_York", count: 2 });
    expect(preview.next).toHaveLength(2);
    expect(preview.next[0]!.getUTCHours()).toBeGreaterThanOrEqual(13);
    const badCron = await failure(() => viewer.schedules.preview({ cron: "every minute" }));
    expect(badCron.code).toBe("BAD_REQUEST");
    expect((badCron.cause as z.ZodError).issues.map((i) => i.path)).toEqual([["cron"]]);
    const badZone = await failure(() => viewer.schedules.preview({ cron: "0 * * * *", timezone: "Mars/Olympus" }));
    expect(badZone.code).toBe("BAD_REQUEST");
    expect((badZone.cause as z.ZodError).issues.map((i) => i.path)).toEqual([["timezone"]]);
    expect((await failure(() => viewer.schedules.history({ trigger: "nope" }))).code).toBe("NOT_FOUND");
    expect((await failure(() => env.caller("admin").schedules.runNow({ trigger: "poller", route: "other" }))).code).toBe("NOT_FOUND");
  });
});
