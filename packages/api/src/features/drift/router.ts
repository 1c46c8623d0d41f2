// Drift over tRPC: the same surface as `motion.drift` (see docs/drift.md). Reads are for
// viewers; check, release, drop and mark valid for labelers and admins — the people who look at
// the data and decide whether a partition is fit to learn from (docs/api.md says why).
import type { Motion } from "@motion/engine";
import type { DriftSurface } from "@motion/engine/drift";
import { page, requireRelation } from "../../lib/common.ts";
import { labelerProcedure, router, viewerProcedure } from "../../trpc.ts";
import { alertCursor, alertsInput, decisionInput, eventsInput, partitionsInput, profileInput, rangeOf, relationInput, seriesInput } from "./inputs.ts";

function drift(motion: Motion): DriftSurface {
  return motion.drift;
}

export const driftRouter = router({
  /** Every relation with its partition counts, open (undecided) flags and held partitions. */
  relations: viewerProcedure.query(({ ctx }) => drift(ctx.motion).relations()),

  /** Verdicts of a relation's partitions in key order, optionally within [from, to]. */
  partitions: viewerProcedure.input(partitionsInput).query(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).partitions(input.relation, rangeOf(input));
  }),

  /** One partition: its summary, verdict, every compared statistic and the explanation sentences. */
  profile: viewerProcedure.input(profileInput).query(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).profile(input.relation, input.partition);
  }),

  /** One statistic of one column over partitions, with the history band and flagged partitions. */
  series: viewerProcedure.input(seriesInput).query(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).series(input.relation, input.column, input.statistic, rangeOf(input));
  }),

  /** |z| per column and partition (the engine's `heatmapData`), with the maximum for the colour scale. */
  heatmap: viewerProcedure.input(partitionsInput).query(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).heatmap(input.relation, rangeOf(input));
  }),

  /** Flags, releases, drops, marks and refits, newest first, a page at a time (cursor: the last event's id). */
  events: viewerProcedure.input(eventsInput).query(async ({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    const events = await drift(ctx.motion).events(input.relation, {
      limit: input.limit + 1,
      ...(input.partition !== undefined ? { partition: input.partition } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    });
    return page(events, input.limit, (e) => e.id);
  }),

  /** Flagged, undecided partitions of every relation, newest first (the Overview's alerts), a page at a time. */
  alerts: viewerProcedure.input(alertsInput).query(async ({ ctx, input }) => {
    const cursor = alertCursor(input.cursor);
    const alerts = await drift(ctx.motion).alerts({ limit: input.limit + 1, ...(cursor ? { cursor } : {}) });
    return page(alerts, input.limit, (a) => `${a.relation}:${a.partition}`);
  }),

  /** Judges the relation's closed, unjudged partitions now instead of waiting for the idle time. */
  check: labelerProcedure.input(relationInput).mutation(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).check(input.relation);
  }),

  /** A flagged partition's rows may be fitted after all (held rows are fitted as usual). */
  release: labelerProcedure.input(decisionInput).mutation(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).release(input.relation, input.partition, { actor: ctx.actor, reason: input.reason });
  }),

  /** A flagged partition's rows are kept but never fitted. */
  drop: labelerProcedure.input(decisionInput).mutation(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).drop(input.relation, input.partition, { actor: ctx.actor, reason: input.reason });
  }),

  /** The partition counts as history for later ones (a flag the operator judged a real change, not broken data). */
  markValid: labelerProcedure.input(decisionInput).mutation(({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return drift(ctx.motion).markValid(input.relation, input.partition, { actor: ctx.actor, reason: input.reason });
  }),
});
