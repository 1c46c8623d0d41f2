import { z } from "zod";
import { principalKey } from "../../principal.ts";
import { cursorSchema, idCursorSchema, idSchema, limitSchema, nameSchema, requireTrigger, versionSchema } from "../../lib/common.ts";
import { labelerProcedure, router, viewerProcedure } from "../../trpc.ts";
import { scoresSchema } from "../queues/router.ts";

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

  /** Scores the trigger declares, by name (null clears one); 400 at scores.<name> for a bad value, 409 under another labeler's lock. */
  score: labelerProcedure.input(z.object({ inferenceId: idSchema, scores: scoresSchema })).mutation(async ({ ctx, input }) => {
    await ctx.motion.score(input.inferenceId, { scores: input.scores, actor: ctx.actor, holder: principalKey(ctx.principal) });
    return { inferenceId: input.inferenceId, scored: Object.keys(input.scores) };
  }),

  /** Newest first, keyset on id. */
  list: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema.optional(),
        inferenceId: idSchema.optional(),
        label: z.enum(["good", "bad"]).optional(),
        actor: z.string().min(1).max(320).optional(),
        cursor: idCursorSchema,
        limit: limitSchema,
      })
      .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      if (input.trigger !== undefined) requireTrigger(ctx.motion, input.trigger);
      // Filters by label or actor scan labels: a long read, off the main thread on SQLite.
      return ctx.motion.feedbackList(input);
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
