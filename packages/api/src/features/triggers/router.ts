import { z } from "zod";
import { type Motion, type Trigger, type TriggerStats } from "@motion/engine";
import { rerootedValidationError } from "../../errors.ts";
import { limitSchema, nameSchema, pageByName, requireTrigger } from "../../lib/common.ts";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";
import { jsonSchemaOf } from "../relations/router.ts";
import { fitRate, latencySummary } from "../stats/prepare.ts";

const RATE_WINDOW_MINUTES = 60;
const WINDOW = { windowMinutes: RATE_WINDOW_MINUTES, latencySample: 1_000 };

function describe(motion: Motion, t: Trigger, stats: TriggerStats) {
  const { params, hash } = motion.paramsOf(t.name);
  return {
    name: t.name,
    routes: t.routes.map((r) => ({
      name: r.name, relation: r.relation.name, infer: !!r.infer, fit: !!r.fit, batchSize: r.batchSize, maxWaitMs: r.maxWaitMs, onDrift: r.onDrift,
      schedule: r.schedule ? { cron: r.schedule.cron, timezone: r.schedule.timezone, missed: r.schedule.missed } : null,
    })),
    params,
    paramsHash: hash,
    paramsSchema: jsonSchemaOf(t.params),
    /** What `feedback.label` accepts as a correction (JSON Schema with `motion.optionsFrom` hints), or null: any JSON. */
    correctionSchema: motion.correctionSchemaOf(t.name),
    /** Scores labelers give besides good/bad (`feedback.score`, `queues.complete`), by name. */
    scores: t.scores,
    retry: t.retry,
    activeVersion: stats.aliases?.active ?? null,
    latestVersion: stats.aliases?.latest ?? null,
    pinned: stats.aliases?.pinned ?? false,
    pendingRows: stats.pendingRows,
    heldRows: stats.heldRows,
    scheduledRows: stats.scheduledRows,
    deadLettered: stats.deadLettered,
    lastFit: stats.lastFit,
    fitRate: fitRate(stats.runs, RATE_WINDOW_MINUTES),
    latency: latencySummary(stats.latencies),
  };
}

export const triggersRouter = router({
  /** In declaration order, `{ items, nextCursor }` (the cursor is the last trigger's name). */
  list: viewerProcedure.input(z.object({ cursor: nameSchema.nullish(), limit: limitSchema }).default({ limit: 50 })).query(async ({ ctx, input }) => {
    const { items: triggers, nextCursor } = pageByName(ctx.motion.app.triggers, input.cursor, input.limit);
    // The console polls this: a long read, so its scans never delay rows.add (off the main thread on SQLite).
    const stats = await ctx.motion.triggerStats(triggers.map((t) => t.name), WINDOW);
    return { items: triggers.map((t, i) => describe(ctx.motion, t, stats[i]!)), nextCursor };
  }),

  get: viewerProcedure.input(z.object({ trigger: nameSchema })).query(async ({ ctx, input }) => {
    const t = requireTrigger(ctx.motion, input.trigger);
    const [stats] = await ctx.motion.triggerStats([t.name], WINDOW);
    return describe(ctx.motion, t, stats!);
  }),

  /**
   * The values a correction field with an `optionsFrom` hint may take (`field`: its path in
   * the correction schema, e.g. ["source"]): distinct values of the hinted relation field with
   * their labels, searched (case-insensitive) by value or label. Feeds the console's select.
   */
  correctionOptions: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        field: z.array(z.string().min(1).max(128)).min(1).max(16),
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      // A search-as-you-type list: the best `limit` matches, and whether there are more (one extra read says so).
      const { relation, field, items } = await ctx.motion.correctionOptions(input.trigger, input.field, { search: input.search, limit: input.limit + 1 });
      return { trigger: input.trigger, field: input.field, relation, relationField: field, items: items.slice(0, input.limit), more: items.length > input.limit };
    }),

  /**
   * Whether all fits are idle, from the database (every process's fits): per trigger, rows
   * pending / held / claimed, runs running / retrying / dead-lettered. Scripts poll this one
   * procedure (or `motion status`) instead of three.
   */
  idle: viewerProcedure.query(({ ctx }) => ctx.motion.fitActivity()),

  /** Per-deployment params, validated by the trigger's schema; audited by the engine. */
  setParams: adminProcedure
    .input(z.object({ trigger: nameSchema, params: z.record(z.string().max(128), z.unknown()) }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      // The engine validates `params` on its own: its issue paths start inside `params`.
      const { params, hash } = await ctx.motion.setParams(input.trigger, input.params, { actor: ctx.actor }).catch((error: unknown) => {
        throw rerootedValidationError(error, ["params"]) ?? error;
      });
      return { trigger: input.trigger, params, paramsHash: hash };
    }),
});
