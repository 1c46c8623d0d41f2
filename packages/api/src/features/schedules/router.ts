import { z } from "zod";
import { resolveSchedule, ValidationError, type ScheduleInfo } from "@motion/engine";
import { cursorSchema, nameSchema, reasonSchema, requireTrigger } from "../../lib/common.ts";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";

/** A cron + time zone as the engine would accept them on a route; bad ones are issues at their own path. */
const scheduleInput = z
  .object({
    cron: z.string().min(1).max(200),
    timezone: z.string().min(1).max(100).optional(),
    count: z.number().int().min(1).max(50).default(5),
  })
  .superRefine((input, ctx) => {
    try {
      resolveSchedule("schedule", { cron: input.cron, timezone: input.timezone });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // The engine names ["schedule", field]; here the field is at the input's root.
      for (const issue of error.issues) ctx.addIssue({ code: "custom", path: issue.path.slice(1), message: issue.message });
    }
  });

const routeInput = z.object({ trigger: nameSchema, route: nameSchema.optional() });

export const schedulesRouter = router({
  /**
   * Scheduled routes (route option `schedule`) with cron, time zone, missed-tick policy, the next
   * run, the last run (status, rows, version produced) and the rows waiting for the next tick.
   */
  list: viewerProcedure.input(z.object({ trigger: nameSchema.optional() }).default({})).query(async ({ ctx, input }) => {
    if (input.trigger !== undefined) requireTrigger(ctx.motion, input.trigger);
    const items: ScheduleInfo[] = await ctx.motion.schedules.list({ trigger: input.trigger });
    return { items };
  }),

  /**
   * A page of a scheduled route's claimed ticks, newest first: runs (with their fit run), skipped
   * ticks, the baseline. Keyset-paged on the tick instant: pass `nextCursor` back for older ticks.
   */
  history: viewerProcedure.input(routeInput.extend({ cursor: cursorSchema, limit: z.number().int().min(1).max(500).default(20) })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    const page = await ctx.motion.schedules.history(input.trigger, input.route, { cursor: input.cursor, limit: input.limit });
    return { trigger: input.trigger, items: page.items, nextCursor: page.nextCursor };
  }),

  /** The next instants of a cron expression in a time zone: checks an expression before it goes into code. */
  preview: viewerProcedure.input(scheduleInput).query(({ input }) => {
    const schedule = resolveSchedule("schedule", { cron: input.cron, timezone: input.timezone });
    const next: Date[] = [];
    for (let at = schedule.nextAfter(new Date()); at && next.length < input.count; at = schedule.nextAfter(at)) next.push(at);
    return { cron: schedule.cron, timezone: schedule.timezone, next };
  }),

  /** Runs a scheduled route's fit now with the rows waiting so far (a manual tick; audited). */
  runNow: adminProcedure.input(routeInput.extend({ reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return ctx.motion.schedules.runNow(input.trigger, input.route, { actor: ctx.actor, reason: input.reason });
  }),
});
