import { z } from "zod";
import { all } from "@motion/db";
import { principalKey } from "../../principal.ts";
import { cursorSchema, idSchema, limitSchema, nameSchema, page, readJson, requireTrigger, versionSchema, Where } from "../../lib/common.ts";
import { labelerProcedure, router, viewerProcedure } from "../../trpc.ts";
import { feedbackItem } from "../../lib/items.ts";

const DEFAULT_EXPORT_PAGE = 1_000;
const MAX_EXPORT_PAGE = 5_000;

export const feedbackRouter = router({
  /** Labels an inference as the caller; releases the caller's review lock on it. */
  label: labelerProcedure
    .input(
      z.object({
        inferenceId: idSchema,
        label: z.enum(["good", "bad"]),
        correction: z.unknown().optional(),
        note: z.string().max(10_000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // Another labeler's live queue lock wins (409); the label releases the item's locks.
      const stored = await ctx.motion.feedback(input.inferenceId, { label: input.label, correction: input.correction, note: input.note, actor: ctx.actor, holder: principalKey(ctx.principal) });
      return { id: stored.id, rowId: stored.rowId, inferenceId: input.inferenceId, label: input.label };
    }),

  /** Newest first, keyset on id. */
  list: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema.optional(),
        inferenceId: idSchema.optional(),
        label: z.enum(["good", "bad"]).optional(),
        actor: z.string().min(1).max(320).optional(),
        cursor: cursorSchema,
        limit: limitSchema,
      }),
    )
    .query(async ({ ctx, input }) => {
      if (input.trigger !== undefined) requireTrigger(ctx.motion, input.trigger);
      const where = new Where();
      if (input.trigger !== undefined) where.add(`i."trigger" = ?`, input.trigger);
      if (input.inferenceId !== undefined) where.add(`f."inferenceId" = ?`, input.inferenceId);
      if (input.label !== undefined) where.add(`f."label" = ?`, input.label);
      if (input.actor !== undefined) where.add(`f."actor" = ?`, input.actor);
      if (input.cursor) where.add(`f."id" < ?`, input.cursor);
      // Filters by label or actor scan labels: a long read, off the main thread on SQLite.
      const rows = await ctx.motion.db.readLong(() =>
        all<Record<string, unknown>>(
          `SELECT f.*, i."trigger" AS "trigger", i."route" AS "route", i."output" AS "output" FROM "Feedback" f JOIN "Inference" i ON i."id" = f."inferenceId" ${where.sql()} ORDER BY f."id" DESC LIMIT ?`,
          [...where.params, input.limit + 1],
        ),
      );
      const items = rows.map((r) => ({ ...feedbackItem(r, ctx.motion.db.provider), trigger: r.trigger as string, route: r.route as string, output: readJson(ctx.motion.db.provider, r.output) }));
      return page(items, input.limit, (f) => f.id);
    }),

  /**
   * Labeled inferences of `trigger`, one page at a time (latest label of each): `openai-jsonl`
   * fine-tuning examples through the trigger's `trainingExample` (default: good outputs kept,
   * bad ones replaced by their correction, bad without one skipped), or the raw records as
   * `jsonl` or `csv` (input, output, label, correction, note, actor, version, time). Filters on
   * the latest label: `label`, `actor`, `from`/`to`, and the inference's `version`. Pages walk
   * the labeled inferences by id (`limit` of them, default 1,000, at most 5,000; a page may hold
   * fewer after filters): pass `nextCursor` back until it is null and concatenate the `content`s.
   */
  export: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        format: z.enum(["openai-jsonl", "jsonl", "csv"]),
        system: z.string().max(10_000).optional(),
        label: z.enum(["good", "bad"]).optional(),
        actor: z.string().trim().min(1).max(320).optional(),
        version: versionSchema.optional(),
        from: z.date().optional(),
        to: z.date().optional(),
        cursor: cursorSchema,
        limit: z.number().int().min(1).max(MAX_EXPORT_PAGE).default(DEFAULT_EXPORT_PAGE),
      }),
    )
    .query(({ ctx, input }) => ctx.motion.exportLabels(input)),
});
