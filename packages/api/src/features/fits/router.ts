import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, toDate, toJson } from "@motion/db";
import { ConflictError, NotFoundError } from "@motion/engine";
import { toFitRunLike } from "../../lib/fit-runs.ts";
import { cursorSchema, idSchema, limitSchema, nameSchema, page, reasonSchema, requireTrigger, Where } from "../../lib/common.ts";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";

const SUMMARY_COLUMNS = `"id", "trigger", "route", "relation", "status", "rowCount", "attempts", "maxAttempts", "baseVersion", "producedVersion", "error", "deadLettered", "queuedAt", "startedAt", "finishedAt", "durationMs", "metrics", "reason"`;

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
    // Operators' retries of this run (the engine keeps one attempt counter and the last error
    // per run, not a record per attempt; the audit log has each retry with who and why).
    const retries = await ctx.motion.db.read(() =>
      all<{ actor: string; reason: string | null; createdAt: unknown }>(
        `SELECT "actor", "reason", "createdAt" FROM "AuditEvent" WHERE "action" = 'fits.retry' AND "target" = ? ORDER BY "id" DESC LIMIT 50`,
        [input.id],
      ),
    );
    return {
      ...toFitRunLike(r),
      retries: retries.map((e) => ({ actor: e.actor, reason: e.reason ?? null, at: toDate(e.createdAt) })),
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
