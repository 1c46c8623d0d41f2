import { z } from "zod";
import { all, run } from "@motion/db";
import { cursorSchema, idSchema, limitSchema, nameSchema, page, readJson, requireTrigger, Where } from "../../lib/common.ts";
import { labelerProcedure, router, viewerProcedure } from "../../trpc.ts";
import { feedbackItem } from "../../lib/items.ts";
import { toOpenAIJsonl, type LabeledExample } from "./export.ts";

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
      const stored = await ctx.motion.feedback(input.inferenceId, { label: input.label, correction: input.correction, note: input.note, actor: ctx.actor });
      await ctx.motion.db.tx(() => run(`DELETE FROM "LabelLock" WHERE "inferenceId" = ?`, [input.inferenceId]));
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
   * Fine-tuning data, one page at a time: OpenAI chat JSONL from the latest label of each
   * labeled inference of `trigger`, corrections replacing bad outputs (bad without a correction
   * is skipped). Pages walk the labeled inferences by id (`limit` of them, default 1,000, at
   * most 5,000); pass `nextCursor` back until it is null and concatenate the `content`s.
   */
  export: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        format: z.literal("openai-jsonl"),
        system: z.string().max(10_000).optional(),
        cursor: cursorSchema,
        limit: z.number().int().min(1).max(MAX_EXPORT_PAGE).default(DEFAULT_EXPORT_PAGE),
      }),
    )
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const provider = ctx.motion.db.provider;
      const { inferences, labels } = await ctx.motion.db.readLong(function* () {
        const inferences = yield* all<{ id: string; output: unknown; input: unknown }>(
          `SELECT i."id", i."output", r."data" AS "input" FROM "Inference" i JOIN "Row" r ON r."id" = i."rowId"
           WHERE i."trigger" = ? AND i."id" > ? AND EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id")
           ORDER BY i."id" LIMIT ?`,
          [input.trigger, input.cursor ?? "", input.limit + 1],
        );
        const ids = inferences.slice(0, input.limit).map((i) => i.id);
        const labels = ids.length
          ? yield* all<{ inferenceId: string; label: string; correction: unknown }>(
              `SELECT "inferenceId", "label", "correction" FROM "Feedback" WHERE "inferenceId" IN (${ids.map(() => "?").join(", ")}) ORDER BY "id"`,
              ids,
            )
          : [];
        return { inferences, labels };
      });
      const latest = new Map<string, { label: string; correction: unknown }>();
      for (const l of labels) latest.set(l.inferenceId, l); // ordered by id: the last one wins
      const { items, nextCursor } = page(inferences, input.limit, (i) => i.id);
      const examples: LabeledExample[] = items.flatMap((i) => {
        const l = latest.get(i.id);
        if (!l) return []; // its labels were deleted (rows.delete) between the two reads
        return [{ inferenceId: i.id, label: l.label as "good" | "bad", correction: readJson(provider, l.correction), output: readJson(provider, i.output), input: readJson(provider, i.input) }];
      });
      const { content, lines, skipped } = toOpenAIJsonl(examples, input.system);
      return { format: input.format, trigger: input.trigger, lines, skipped, content, nextCursor };
    }),
});
