import { z } from "zod";
import { BACKLOG_MAX_WINDOW_MINUTES, ConflictError, NotFoundError } from "@motion/engine";
import { idCursorSchema, idSchema, limitSchema, nameSchema, reasonSchema, requireTrigger } from "../../lib/common.ts";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";
import { whileAllowed } from "../../lib/access-bound.ts";
import { idleMoments } from "./on-idle.ts";

export const fitsRouter = router({
  /** Newest first (keyset on the time-sortable id). `deadLettered` selects runs to retry. */
  list: viewerProcedure
    .input(
      z
        .object({
          trigger: nameSchema.optional(),
          status: z.enum(["queued", "running", "succeeded", "failed", "superseded", "skipped"]).optional(),
          deadLettered: z.boolean().optional(),
          cursor: idCursorSchema,
          limit: limitSchema,
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      if (input.trigger !== undefined) requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.fitRuns(input);
    }),

  /**
   * One run: rows consumed, params, error with stack, duration, metrics, version produced, what
   * the fit logged, every failed attempt (error, stack, logs) and operators' retries.
   */
  /**
   * Server-sent events: the trigger's fits (all triggers' without `trigger`) have nothing
   * running, pending or waiting for a retry — at once if so already, then after each busy spell.
   */
  onIdle: viewerProcedure
    .input(z.object({ trigger: nameSchema.optional() }).default({}))
    .subscription(({ ctx, input, signal }) => {
      if (input.trigger !== undefined) requireTrigger(ctx.motion, input.trigger);
      return whileAllowed(ctx, "viewer", signal, (stop) => idleMoments(ctx.motion, input.trigger, stop, ctx.options.subscriptionPollMs));
    }),

  get: viewerProcedure.input(z.object({ id: idSchema })).query(({ ctx, input }) => ctx.motion.fitRun(input.id)),

  /**
   * Backlog growth of one trigger's fit routes (the Fits page chart): per bucket the rows waiting
   * at its end and the rows added, fitted and shed within it, with each route's current backlog
   * and backpressure bound. Reads the engine's per-minute backlog samples only (bounded by the
   * window: at most 10,080 samples per route).
   */
  backlog: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        windowMinutes: z.number().int().min(1).max(BACKLOG_MAX_WINDOW_MINUTES).default(60),
        bucketMinutes: z.number().int().min(1).max(BACKLOG_MAX_WINDOW_MINUTES).default(1),
      }),
    )
    .query(({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.backlogSeries(input.trigger, { windowMinutes: input.windowMinutes, bucketMinutes: input.bucketMinutes });
    }),

  /** Re-queues a dead-lettered (failed) run with fresh attempts; audited by the engine. */
  retry: adminProcedure.input(z.object({ id: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    await ctx.motion.retryFit(input.id, { actor: ctx.actor, reason: input.reason });
    return { id: input.id, status: "queued" as const };
  }),

  /**
   * Re-queues several dead-lettered runs with one reason (each retry is audited on its run).
   * Runs that are not (or no longer) dead-lettered are skipped and named, not an error: another
   * operator may have retried one since the list was loaded.
   */
  retryMany: adminProcedure
    .input(z.object({ ids: z.array(idSchema).min(1).max(200), reason: reasonSchema }))
    .mutation(async ({ ctx, input }) => {
      const retried: string[] = [];
      const skipped: { id: string; message: string }[] = [];
      for (const id of new Set(input.ids)) {
        try {
          await ctx.motion.retryFit(id, { actor: ctx.actor, reason: input.reason });
          retried.push(id);
        } catch (error) {
          if (!(error instanceof ConflictError) && !(error instanceof NotFoundError)) throw error;
          skipped.push({ id, message: error.message });
        }
      }
      return { retried, skipped };
    }),
});
