import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, type Provider, type Query } from "@motion/db";
import { cursorSchema, idSchema, limitSchema, nameSchema, page, placeholders, readJson, requireRelation, requireTrigger, versionSchema, Where } from "../../lib/common.ts";
import { router, viewerProcedure } from "../../trpc.ts";
import { feedbackItem, inferenceItem } from "../../lib/items.ts";

export type InferenceItem = ReturnType<typeof inferenceItem>;
export type FeedbackItem = ReturnType<typeof feedbackItem>;

/** Inputs (row data) and feedback of a page of inferences, in two indexed queries. */
export function* withDetails(provider: Provider, rows: Record<string, unknown>[]): Query<(InferenceItem & { input: unknown; feedback: FeedbackItem[] })[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id as string);
  const rowIds = [...new Set(rows.map((r) => r.rowId as string))];
  const inputs = yield* all<{ id: string; data: unknown }>(`SELECT "id", "data" FROM "Row" WHERE "id" IN (${placeholders(rowIds.length)})`, rowIds);
  const feedback = yield* all<Record<string, unknown>>(`SELECT * FROM "Feedback" WHERE "inferenceId" IN (${placeholders(ids.length)}) ORDER BY "id"`, ids);
  const inputById = new Map(inputs.map((r) => [r.id, readJson(provider, r.data)]));
  return rows.map((r) => ({
    ...inferenceItem(r, provider),
    input: inputById.get(r.rowId as string) ?? null,
    feedback: feedback.filter((f) => f.inferenceId === r.id).map((f) => feedbackItem(f, provider)),
  }));
}

export const inferencesRouter = router({
  /** Newest first, keyset on id. `labeled` / `label` filter on feedback. */
  list: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema.optional(),
        relation: nameSchema.optional(),
        labeled: z.boolean().optional(),
        label: z.enum(["good", "bad"]).optional(),
        version: versionSchema.optional(),
        cursor: cursorSchema,
        limit: limitSchema,
      }),
    )
    .query(async ({ ctx, input }) => {
      const provider = ctx.motion.db.provider;
      if (input.trigger !== undefined) requireTrigger(ctx.motion, input.trigger);
      if (input.relation !== undefined) requireRelation(ctx.motion, input.relation);
      const where = new Where();
      if (input.trigger !== undefined) where.add(`i."trigger" = ?`, input.trigger);
      if (input.relation !== undefined) where.add(`i."relation" = ?`, input.relation);
      if (input.version !== undefined) where.add(`i."stateVersion" = ?`, input.version);
      if (input.cursor) where.add(`i."id" < ?`, input.cursor);
      if (input.labeled === true) where.add(`EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id")`);
      if (input.labeled === false) where.add(`NOT EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id")`);
      if (input.label) where.add(`EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id" AND f."label" = ?)`, input.label);
      // Label filters scan inferences for a page's worth of matches: a long read.
      const db = ctx.motion.db;
      const items = await (input.labeled !== undefined || input.label !== undefined ? db.readLong.bind(db) : db.read.bind(db))(function* () {
        const rows = yield* all<Record<string, unknown>>(`SELECT i.* FROM "Inference" i ${where.sql()} ORDER BY i."id" DESC LIMIT ?`, [...where.params, input.limit + 1]);
        return yield* withDetails(provider, rows);
      });
      return page(items, input.limit, (i) => i.id);
    }),

  get: viewerProcedure.input(z.object({ id: idSchema })).query(async ({ ctx, input }) => {
    const provider = ctx.motion.db.provider;
    const [item] = await ctx.motion.db.read(function* () {
      const row = yield* get<Record<string, unknown>>(`SELECT * FROM "Inference" WHERE "id" = ?`, [input.id]);
      return row ? yield* withDetails(provider, [row]) : [];
    });
    if (!item) throw new TRPCError({ code: "NOT_FOUND", message: `no inference ${input.id}` });
    return item;
  }),
});
