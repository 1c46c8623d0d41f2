// The review queue: each labeler gets the next inference of a trigger with a lock that
// expires, so two labelers never work on the same item at the same time (the engine's
// review-queue/queue-claim.ts, shared with named queues).
import { z } from "zod";
import { idSchema, nameSchema, requireTrigger, versionSchema } from "../../lib/common.ts";
import { principalKey } from "../../principal.ts";
import { labelerProcedure, router, viewerProcedure } from "../../trpc.ts";

export const reviewRouter = router({
  /** The next inference for this labeler, locked for `reviewLockMs`; null when none is left. A mutation: it takes a lock. */
  next: labelerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        filter: z.enum(["unlabeled", "good", "bad"]).default("unlabeled"),
        version: versionSchema.optional(),
        /** Inferences to skip (e.g. ones this labeler passed on). */
        exclude: z.array(idSchema).max(100).default([]),
      }),
    )
    .mutation(({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.reviewNext({ ...input, holder: principalKey(ctx.principal), holderName: ctx.actor, lockMs: ctx.options.reviewLockMs });
    }),

  /** Gives an item back to the queue (only the caller's own lock). */
  release: labelerProcedure.input(z.object({ inferenceId: idSchema })).mutation(async ({ ctx, input }) => {
    return { released: await ctx.motion.releaseReview(input.inferenceId, principalKey(ctx.principal)) };
  }),

  /** Labeled counts per labeler, what is left, and what is being worked on now. */
  progress: viewerProcedure.input(z.object({ trigger: nameSchema })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    // The engine counts from rollups and labels (not every inference); a long read, off the main thread on SQLite.
    const { counts, locked } = await ctx.motion.reviewProgress(input.trigger);
    const { byActor: perActor, total } = counts;
    const remaining = counts.total - counts.labeled;
    const labelers = new Map<string, { actor: string; labeled: number; good: number; bad: number; inProgress: number }>();
    const entry = (actor: string) => labelers.get(actor) ?? labelers.set(actor, { actor, labeled: 0, good: 0, bad: 0, inProgress: 0 }).get(actor)!;
    for (const r of perActor) {
      const e = entry(r.actor);
      const n = Number(r.n);
      e.labeled += n;
      if (r.label === "good") e.good += n;
      else if (r.label === "bad") e.bad += n;
    }
    for (const l of locked) entry(l.holderName).inProgress += Number(l.n);
    return {
      trigger: input.trigger,
      total,
      labeled: total - remaining,
      remaining,
      inProgress: locked.reduce((a, l) => a + Number(l.n), 0),
      labelers: [...labelers.values()].sort((a, b) => b.labeled - a.labeled || a.actor.localeCompare(b.actor)),
    };
  }),
});
