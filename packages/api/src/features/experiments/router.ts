// Experiments: the `candidate` alias, shadow and canary shares, the guarded promotion rule,
// promote/abort, the shadow comparison and params variants. Reads are viewer, changes admin.
import { z } from "zod";
import { cursorSchema, limitSchema, nameSchema, reasonSchema, requireTrigger, versionSchema } from "../../lib/common.ts";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";

const variantNameSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, "variant names are letters, digits, _ . -");
const weightSchema = z.number().min(0, "weight must be in 0..1").max(1, "weight must be in 0..1");
const share = z.number().min(0, "share must be in 0..1").max(1, "share must be in 0..1");
const ruleSchema = z.object({
  name: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, "rule names are letters, digits, _ . -"),
  minLabels: z.number().int().min(1).max(1_000_000),
  confidence: z.number().gt(0.5).lt(1),
});

export const experimentsRouter = router({
  /** Active, candidate (or null), pin, shadow/canary shares and rule, and whether they are declared or set at run time. */
  get: viewerProcedure.input(z.object({ trigger: nameSchema })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return ctx.motion.experiment(input.trigger);
  }),

  /** Points `candidate` at an existing version other than active (NOT_FOUND / CONFLICT otherwise). */
  setCandidate: adminProcedure
    .input(z.object({ trigger: nameSchema, version: versionSchema, reason: reasonSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const moved = await ctx.motion.setCandidate(input.trigger, input.version, { actor: ctx.actor, reason: input.reason });
      return { trigger: input.trigger, ...moved };
    }),

  /** Runtime shadow/canary shares and rule (replace the declared ones; omitted parts are kept, `rule: null` removes it). */
  settings: adminProcedure
    .input(z.object({ trigger: nameSchema, shadow: z.object({ share }).optional(), canary: z.object({ share }).optional(), rule: ruleSchema.nullable().optional() }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const { trigger, ...patch } = input;
      return ctx.motion.setExperiment(trigger, patch, { actor: ctx.actor });
    }),

  /** candidate → active (the pin is kept), then the candidate is cleared; CONFLICT without a candidate. */
  promote: adminProcedure.input(z.object({ trigger: nameSchema, reason: reasonSchema })).mutation(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return { trigger: input.trigger, ...(await ctx.motion.promote(input.trigger, { actor: ctx.actor, reason: input.reason })) };
  }),

  /** Clears the candidate (shadow and canary stop); CONFLICT without a candidate. */
  abort: adminProcedure.input(z.object({ trigger: nameSchema, reason: reasonSchema })).mutation(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return { trigger: input.trigger, ...(await ctx.motion.abort(input.trigger, { actor: ctx.actor, reason: input.reason })) };
  }),

  /** Runs the promotion rule now; a promote/abort decision is applied as a move by `rule:<name>`. */
  evaluate: adminProcedure.input(z.object({ trigger: nameSchema })).mutation(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return ctx.motion.evaluatePromotion(input.trigger);
  }),

  /** Shadowed rows newest first: both answers, the caller's label and the shadow's implied verdict. */
  shadowRows: viewerProcedure
    .input(z.object({ trigger: nameSchema, version: versionSchema.optional(), differsOnly: z.boolean().optional(), cursor: cursorSchema, limit: limitSchema }))
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.shadowRows(input.trigger, { version: input.version, differsOnly: input.differsOnly, cursor: input.cursor, limit: input.limit });
    }),

  /** Active and the candidate `version` on the same shadowed inputs: counts and good-rates with intervals. */
  shadowSummary: viewerProcedure.input(z.object({ trigger: nameSchema, version: versionSchema })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return ctx.motion.shadowSummary(input.trigger, input.version);
  }),

  /** Every move of `candidate` (set, promoted, aborted; `toVersion` null when cleared), newest first. */
  history: viewerProcedure.input(z.object({ trigger: nameSchema, cursor: cursorSchema, limit: limitSchema })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    const { items, nextCursor } = await ctx.motion.aliasEvents({ trigger: input.trigger, alias: "candidate", cursor: input.cursor, limit: input.limit });
    return { items: items.map(({ alias: _alias, ...move }) => move), nextCursor };
  }),

  /** Params variants: the default (what weights leave) and each variant's overrides, effective params, hash and weight. */
  variants: viewerProcedure.input(z.object({ trigger: nameSchema })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return ctx.motion.variants(input.trigger);
  }),

  /**
   * Adds a params variant (validated against the trigger's params schema: issues at `params.<field>`;
   * a taken name at `name`; a weight outside 0..1 or a sum above 1 at `weight`). Audited.
   */
  addVariant: adminProcedure
    .input(z.object({ trigger: nameSchema, name: variantNameSchema, params: z.record(z.string(), z.unknown()).default({}), weight: weightSchema.default(0) }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.addVariant(input.trigger, { name: input.name, params: input.params, weight: input.weight }, { actor: ctx.actor });
    }),

  /** Sets variants' weights by name (others keep theirs): unknown names at `weights.<name>`, a sum above 1 at `weights`. Audited. */
  setVariantWeights: adminProcedure
    .input(z.object({ trigger: nameSchema, weights: z.record(variantNameSchema, weightSchema) }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.setVariantWeights(input.trigger, input.weights, { actor: ctx.actor });
    }),

  /** Removes a params variant (NOT_FOUND when there is none); its past inferences keep their params hash. Audited. */
  removeVariant: adminProcedure.input(z.object({ trigger: nameSchema, name: variantNameSchema })).mutation(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    return ctx.motion.removeVariant(input.trigger, input.name, { actor: ctx.actor });
  }),
});
