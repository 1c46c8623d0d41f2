import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { idCursorSchema, idSchema, limitSchema, nameSchema, reasonSchema, requireTrigger, versionSchema } from "../../lib/common.ts";
import { MAX_EVALUATE_VERSIONS, MAX_OUTCOME_VERSIONS, MAX_OVER_TIME_RANGE_MS } from "@motion/engine";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";
import { whileAllowed } from "../../lib/access-bound.ts";
import { aliasMoves } from "./on-version.ts";

export const stateRouter = router({
  /** Newest first; keyset on the version number. Each version says its state `schema`. */
  versions: viewerProcedure
    .input(z.object({ trigger: nameSchema, cursor: z.number().int().min(0).max(2_147_483_647).nullish(), limit: limitSchema }))
    .query(({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.stateVersions(input.trigger, { cursor: input.cursor, limit: input.limit });
    }),

  /** Metadata of one version and a preview of each value (binary values: type and length). */
  get: viewerProcedure.input(z.object({ trigger: nameSchema, version: versionSchema })).query(({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return ctx.motion.stateVersion(input.trigger, input.version);
  }),

  /**
   * Per-version outcomes (inferences, error and cache-hit rates, latency p50/p99, latest labels
   * with a Wilson 95% interval, fit metrics), newest first: the listed `versions` (an unknown
   * one is NOT_FOUND) or a page below `cursor`. Reads rollup tables only.
   */
  outcomes: viewerProcedure
    .input(z.object({ trigger: nameSchema, versions: z.array(versionSchema).min(1).max(MAX_OUTCOME_VERSIONS).optional(), cursor: versionSchema.nullish(), limit: limitSchema }))
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const result = await ctx.motion.outcomes(input.trigger, input.versions ? { versions: input.versions } : { before: input.cursor ?? undefined, limit: input.limit });
      return { items: result.versions, nextCursor: result.nextCursor };
    }),

  /**
   * Outcomes over time for the Compare charts: one series per version in `versions` (its params
   * hashes summed) or per hash in `paramsHashes` (on `version`, or on every version), in hours
   * for ranges up to 7 days and UTC days beyond, and in days for a range that starts before the
   * bookkeeping window (its hours are folded into days; widened to whole buckets; defaults: the
   * 7 days before now). A label counts in its inference's bucket. Reads hourly rollup tables only; an
   * unknown trigger or version is NOT_FOUND.
   */
  outcomesOverTime: viewerProcedure
    .input(
      z
        .object({
          trigger: nameSchema,
          versions: z.array(versionSchema).min(1).max(MAX_OUTCOME_VERSIONS).optional(),
          paramsHashes: z.array(z.string().min(1).max(200)).min(1).max(MAX_OUTCOME_VERSIONS).optional(),
          version: versionSchema.optional(),
          from: z.date().optional(),
          to: z.date().optional(),
        })
        .superRefine((input, ctx) => {
          if ((input.versions === undefined) === (input.paramsHashes === undefined)) ctx.addIssue({ code: "custom", path: ["versions"], message: "give either versions or paramsHashes" });
          const to = input.to?.getTime() ?? Date.now();
          const from = input.from?.getTime() ?? to - 7 * 86_400_000;
          if (from >= to) ctx.addIssue({ code: "custom", path: ["to"], message: "to must be after from" });
          else if (to - from > MAX_OVER_TIME_RANGE_MS) ctx.addIssue({ code: "custom", path: ["from"], message: `the range is at most ${MAX_OVER_TIME_RANGE_MS / 86_400_000} days` });
        }),
    )
    .query(({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const { trigger, ...options } = input;
      return ctx.motion.outcomesOverTime(trigger, options);
    }),

  /**
   * What moving `active` from `from` to `to` changes: state keys (sizes, checksums, a bounded
   * JSON diff) and the fits, rows and labels on each side of the common ancestor.
   */
  diff: viewerProcedure
    .input(z.object({ trigger: nameSchema, from: versionSchema, to: versionSchema }))
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.diffVersions(input.trigger, input.from, input.to);
    }),

  /**
   * The trigger's own `evaluate` (e.g. hit@k) on each version, over the latest labels of the
   * outputs it served (at most `limit` labeled inferences a version); `declared` is false when
   * the trigger has none. An unknown version is NOT_FOUND.
   */
  evaluate: viewerProcedure
    .input(z.object({ trigger: nameSchema, versions: z.array(versionSchema).min(1).max(MAX_EVALUATE_VERSIONS), limit: z.number().int().min(1).max(5_000).optional() }))
    .query(({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.evaluate(input.trigger, { versions: input.versions, limit: input.limit });
    }),

  /**
   * Re-points `active` at `version` of this trigger (audited with the reason). A version that
   * does not exist for this trigger — e.g. one of another trigger — is refused with NOT_FOUND.
   * A version in an older state schema is migrated on the fly into a new version that `active`
   * then points at (`migratedFrom` names the version it came from); with no declared migration
   * path from its schema the rollback is refused with CONFLICT and nothing moves.
   */
  rollback: adminProcedure
    .input(z.object({ trigger: nameSchema, version: versionSchema, reason: reasonSchema, pin: z.boolean().optional(), refitLabels: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const moved = await ctx.motion.rollback(input.trigger, input.version, { actor: ctx.actor, reason: input.reason, pin: input.pin, refitLabels: input.refitLabels });
      return { trigger: input.trigger, ...moved, pinned: input.pin ?? false };
    }),

  /**
   * State GC now for one trigger: versions beyond the newest `keepVersions` (default: the
   * trigger's `retention.keepVersions`) that no alias points at lose the values no kept version
   * shares; manifests stay. Audited per batch. Admin only.
   */
  collect: adminProcedure
    .input(z.object({ trigger: nameSchema, keepVersions: z.number().int().min(1).max(1_000_000).optional(), reason: reasonSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.retention.collectStates({ actor: ctx.actor, trigger: input.trigger, keepVersions: input.keepVersions, reason: input.reason });
    }),

  /** The trigger's current `stateSchema` and its declared migration steps (`{ from, to }`, in order). */
  migrations: viewerProcedure.input(z.object({ trigger: nameSchema })).query(({ ctx, input }) => {
    const t = requireTrigger(ctx.motion, input.trigger);
    return { trigger: t.name, stateSchema: t.stateSchema, steps: t.migrations.map((m) => ({ from: m.from, to: m.to })) };
  }),

  /**
   * Runs the trigger's state migrations now (as opening Motion does): `active` and `latest` in an
   * older schema become new versions in schema `to`, moved by `migration:<to>`. `to` must be the
   * trigger's declared `stateSchema` (else BAD_REQUEST: no such migration). A migrate that
   * throws is a CONFLICT and nothing is written. Admin only.
   */
  migrate: adminProcedure
    .input(z.object({ trigger: nameSchema, to: z.number().int().min(1).max(2_147_483_647), reason: reasonSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      const t = requireTrigger(ctx.motion, input.trigger);
      if (input.to !== t.stateSchema) {
        throw new TRPCError({ code: "BAD_REQUEST", message: `trigger ${t.name} declares no migration to state schema ${input.to}: its stateSchema is ${t.stateSchema}${t.migrations.length ? ` (steps ${t.migrations.map((m) => `${m.from}→${m.to}`).join(", ")})` : " and it declares no migrations"}` });
      }
      const [done] = await ctx.motion.migrateStates({ trigger: t.name, reason: input.reason });
      return { trigger: t.name, schema: t.stateSchema, migrated: !!done, moves: done?.moves ?? [] };
    }),

  /** Lets `active` follow `latest` again after a pinned rollback. */
  unpin: adminProcedure.input(z.object({ trigger: nameSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    await ctx.motion.unpin(input.trigger, { actor: ctx.actor, reason: input.reason });
    return { trigger: input.trigger, pinned: false };
  }),

  /**
   * Server-sent events: each move of the trigger's `active` / `latest` from now on (a fit's new
   * version, a rollback), tracked by its alias-history id. `lastEventId` (sent by the client
   * on reconnect, or `aliasHistory`'s newest id) replays the moves after it first.
   */
  onVersion: viewerProcedure
    .input(z.object({ trigger: nameSchema, lastEventId: idSchema.nullish() }))
    .subscription(({ ctx, input, signal }) => {
      requireTrigger(ctx.motion, input.trigger);
      return whileAllowed(ctx, "viewer", signal, (stop) => aliasMoves(ctx.motion, input.trigger, input.lastEventId, stop, ctx.options.subscriptionPollMs));
    }),

  /** Every move of `active` / `latest`, newest first (keyset on id). */
  aliasHistory: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        alias: z.enum(["active", "latest"]).optional(),
        /** "operator": only moves a person or key made (rollbacks, unpins), not each fit's. */
        moves: z.enum(["all", "operator"]).optional(),
        cursor: idCursorSchema,
        limit: limitSchema,
      }),
    )
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const { items, nextCursor } = await ctx.motion.aliasEvents({ trigger: input.trigger, alias: input.alias, operatorOnly: input.moves === "operator", cursor: input.cursor, limit: input.limit });
      // Moves of active/latest always point somewhere (only a candidate can be cleared).
      return { items: items.map((e) => ({ ...e, toVersion: e.toVersion! })), nextCursor };
    }),
});
