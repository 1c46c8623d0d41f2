import { z } from "zod";
import { all, run } from "@motion/db";
import { cursorSchema, idSchema, limitSchema, nameSchema, page, readJson, requireTrigger, Where } from "../../lib/common.ts";
import { labelerProcedure, router, viewerProcedure } from "../../trpc.ts";
import { feedbackItem } from "../../lib/items.ts";
import { toOpenAIJsonl, type LabeledExample } from "./export.ts";

const MAX_EXPORT = 100_000;

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
      const rows = await ctx.motion.db.read(() =>
        all<Record<string, unknown>>(
          `SELECT f.*, i."trigger" AS "trigger", i."route" AS "route", i."output" AS "output" FROM "Feedback" f JOIN "Inference" i ON i."id" = f."inferenceId" ${where.sql()} ORDER BY f."id" DESC LIMIT ?`,
          [...where.params, input.limit + 1],
        ),
      );
      const items = rows.map((r) => ({ ...feedbackItem(r, ctx.motion.db.provider), trigger: r.trigger as string, route: r.route as string, output: readJson(ctx.motion.db.provider, r.output) }));
      return page(items, input.limit, (f) => f.id);
    }),

  /**
   * Fine-tuning data from the latest label of each inference of `trigger`: OpenAI chat JSONL,
   * corrections replacing bad outputs (bad without a correction is skipped).
   */
  export: viewerProcedure
    .input(z.object({ trigger: nameSchema, format: z.literal("openai-jsonl"), system: z.string().max(10_000).optional() }))
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const provider = ctx.motion.db.provider;
      const latest = new Map<string, LabeledExample>();
      let after = "";
      for (;;) {
        const rows = await ctx.motion.db.read(() =>
          all<{ id: string; inferenceId: string; label: string; correction: unknown; output: unknown; input: unknown }>(
            `SELECT f."id", f."inferenceId", f."label", f."correction", i."output", r."data" AS "input" FROM "Feedback" f JOIN "Inference" i ON i."id" = f."inferenceId" JOIN "Row" r ON r."id" = i."rowId" WHERE i."trigger" = ? AND f."id" > ? ORDER BY f."id" LIMIT 1000`,
            [input.trigger, after],
          ),
        );
        for (const r of rows) {
          latest.delete(r.inferenceId); // re-insert: keeps the order of the latest label
          latest.set(r.inferenceId, { inferenceId: r.inferenceId, label: r.label as "good" | "bad", correction: readJson(provider, r.correction), output: readJson(provider, r.output), input: readJson(provider, r.input) });
        }
        if (rows.length < 1000 || latest.size >= MAX_EXPORT) break;
        after = rows[rows.length - 1]!.id;
      }
      const { content, lines, skipped } = toOpenAIJsonl([...latest.values()], input.system);
      return { format: input.format, trigger: input.trigger, lines, skipped, content };
    }),
});
