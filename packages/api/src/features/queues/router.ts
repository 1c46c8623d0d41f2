// Named review queues (transport only: the engine's `motion.queues` owns tables and logic).
// Admins curate queues; labelers work them under the same locks as the trigger-wide review
// queue; anyone signed in sees them with progress, their assigned queues first.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { queueFeedSchema } from "@motion/engine";
import { cursorSchema, idSchema, limitSchema, nameSchema, requireTrigger } from "../../lib/common.ts";
import { principalKey } from "../../principal.ts";
import { adminProcedure, labelerProcedure, router, viewerProcedure } from "../../trpc.ts";

/** Feeds up to this many items are filled before `create` answers; larger ones fill in the background. */
const FILL_INLINE_UP_TO = 500;

const queueId = z.object({ id: idSchema });
const actorsSchema = z.array(z.string().trim().min(1).max(200)).max(100);
const scoresSchema = z.record(z.string().min(1).max(64), z.union([z.number(), z.string().max(10_000), z.null()]));

export const queuesRouter = router({
  /**
   * A page of queues with progress and assignees: the caller's assigned queues first, then the
   * others, each newest first (`mine`: only the caller's). Keyset-paged: pass `nextCursor` back.
   */
  list: viewerProcedure
    .input(z.object({ trigger: nameSchema.optional(), mine: z.boolean().default(false), cursor: cursorSchema, limit: limitSchema }).default({ mine: false, limit: 50 }))
    .query(async ({ ctx, input }) => {
      if (input.trigger) requireTrigger(ctx.motion, input.trigger);
      const page = await ctx.motion.queues.list({ trigger: input.trigger, actor: ctx.actor, assignedOnly: input.mine, cursor: input.cursor, limit: input.limit });
      return { items: page.items.map((q) => ({ ...q, assignedToMe: q.assignees.includes(ctx.actor) })), nextCursor: page.nextCursor };
    }),

  get: viewerProcedure.input(queueId).query(async ({ ctx, input }) => {
    const queue = await ctx.motion.queues.get(input.id);
    if (!queue) throw new TRPCError({ code: "NOT_FOUND", message: `no review queue ${input.id}` });
    return { ...queue, assignedToMe: queue.assignees.includes(ctx.actor) };
  }),

  /** A queue fed by a filter and/or a seeded sample; large feeds answer with status "filling". */
  create: adminProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(100),
        trigger: nameSchema,
        description: z.string().max(2000).nullish(),
        feed: queueFeedSchema.default({ filter: {}, maxItems: 1000 }),
        assignees: actorsSchema.default([]),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const small = input.feed.maxItems <= FILL_INLINE_UP_TO && input.feed.sample?.count === undefined;
      return ctx.motion.queues.create({ ...input, createdBy: ctx.actor }, { wait: small });
    }),

  update: adminProcedure
    .input(z.object({ id: idSchema, name: z.string().trim().min(1).max(100).optional(), description: z.string().max(2000).nullish(), assignees: actorsSchema.optional() }))
    .mutation(({ ctx, input }) => ctx.motion.queues.update(input.id, { name: input.name, description: input.description, assignees: input.assignees })),

  /** Gives one item of the queue to one labeler (only they get it from `next`); null: to any labeler again. */
  assignItem: adminProcedure
    .input(z.object({ queueId: idSchema, inferenceId: idSchema, assignee: z.string().trim().min(1).max(200).nullable() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.motion.queues.assignItem(input.queueId, input.inferenceId, input.assignee);
      return { queueId: input.queueId, inferenceId: input.inferenceId, assignee: input.assignee };
    }),

  delete: adminProcedure.input(queueId).mutation(async ({ ctx, input }) => ({ deleted: await ctx.motion.queues.remove(input.id) })),

  /** The next pending item of the queue, locked for this labeler; null when none is free. A mutation: it takes a lock. */
  next: labelerProcedure.input(z.object({ queueId: idSchema })).mutation(({ ctx, input }) =>
    ctx.motion.queues.next(input.queueId, { holder: principalKey(ctx.principal), holderName: ctx.actor, lockMs: ctx.options.reviewLockMs }),
  ),

  /** Labels and/or scores an item and marks it done in the queue (409 while another labeler holds it). */
  complete: labelerProcedure
    .input(
      z.object({
        queueId: idSchema,
        inferenceId: idSchema,
        label: z.enum(["good", "bad"]).optional(),
        correction: z.unknown().optional(),
        note: z.string().max(10_000).optional(),
        scores: scoresSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.motion.queues.complete(input.queueId, input.inferenceId, {
        actor: ctx.actor, holder: principalKey(ctx.principal), label: input.label, correction: input.correction, note: input.note, scores: input.scores,
      }),
    ),

  skip: labelerProcedure.input(z.object({ queueId: idSchema, inferenceId: idSchema })).mutation(async ({ ctx, input }) => {
    await ctx.motion.queues.skip(input.queueId, input.inferenceId, { actor: ctx.actor, holder: principalKey(ctx.principal) });
    return { skipped: true };
  }),
});

export { scoresSchema };
