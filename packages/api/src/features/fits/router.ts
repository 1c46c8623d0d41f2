import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, toJson } from "@motion/db";
import { toFitRunLike } from "../../lib/fit-runs.ts";
import { cursorSchema, idSchema, limitSchema, nameSchema, page, reasonSchema, requireTrigger, Where } from "../../lib/common.ts";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";

const SUMMARY_COLUMNS = `"id", "trigger", "route", "relation", "status", "rowCount", "attempts", "maxAttempts", "baseVersion", "producedVersion", "error", "deadLettered", "queuedAt", "startedAt", "finishedAt", "durationMs", "metrics"`;

export const fitsRouter = router({
  /** Newest first (keyset on the time-sortable id). `deadLettered` selects runs to retry. */
  list: viewerProcedure
    .input(
      z
        .object({
          trigger: nameSchema.optional(),
          status: z.enum(["queued", "running", "succeeded", "failed", "superseded", "skipped"]).optional(),
          deadLettered: z.boolean().optional(),
          cursor: cursorSchema,
          limit: limitSchema,
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      if (input.trigger !== undefined) requireTrigger(ctx.motion, input.trigger);
      const where = new Where();
      if (input.trigger !== undefined) where.add(`"trigger" = ?`, input.trigger);
      if (input.status !== undefined) where.add(`"status" = ?`, input.status);
      if (input.deadLettered !== undefined) where.add(`"deadLettered" = ?`, input.deadLettered);
      if (input.cursor) where.add(`"id" < ?`, input.cursor);
      const rows = await ctx.motion.db.read(() => all<Record<string, unknown>>(`SELECT ${SUMMARY_COLUMNS} FROM "FitRun" ${where.sql()} ORDER BY "id" DESC LIMIT ?`, [...where.params, input.limit + 1]));
      return page(rows.map(toFitRunLike), input.limit, (r) => r.id);
    }),

  /** One run: rows consumed, attempts, error with stack, duration, metrics, version produced. */
  get: viewerProcedure.input(z.object({ id: idSchema })).query(async ({ ctx, input }) => {
    const r = await ctx.motion.db.read(() => get<Record<string, unknown>>(`SELECT * FROM "FitRun" WHERE "id" = ?`, [input.id]));
    if (!r) throw new TRPCError({ code: "NOT_FOUND", message: `no fit run ${input.id}` });
    return {
      ...toFitRunLike(r),
      rowIds: toJson<string[]>(r.rowIds),
      params: toJson(r.params),
      paramsHash: r.paramsHash as string,
      errorStack: (r.errorStack as string | null) ?? null,
    };
  }),

  /** Re-queues a dead-lettered (failed) run with fresh attempts; audited by the engine. */
  retry: adminProcedure.input(z.object({ id: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    await ctx.motion.retryFit(input.id, { actor: ctx.actor, reason: input.reason });
    return { id: input.id, status: "queued" as const };
  }),
});
