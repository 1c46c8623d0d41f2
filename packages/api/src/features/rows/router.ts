import { z } from "zod";
import type { AddResult } from "@motion/engine";
import { rowValidationError } from "../../errors.ts";
import { idCursorSchema, idSchema, reasonSchema, limitSchema, nameSchema, requireRelation } from "../../lib/common.ts";
import { principalKey } from "../../principal.ts";
import { adminProcedure, labelerProcedure, router, viewerProcedure } from "../../trpc.ts";
import { idempotent } from "./idempotency.ts";
import { rowFilterSchema } from "./filter.ts";

/** Params variant per trigger name (`{ ranker: "wide" }`) instead of the split by routing key. */
const variantsSchema = z.record(nameSchema, z.string().min(1).max(64)).optional();

/** The engine checks `variants` itself: its issues are already at `variants.<trigger>`. */
function addError(error: unknown, root: "row" | "rows"): unknown {
  if ((error as { relation?: unknown })?.relation === "variants") return error;
  return rowValidationError(error, root) ?? error;
}

/** A client-chosen key (e.g. a UUID) that makes a retry of the same request return the first answer. */
const idempotencyKeySchema = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

const rowQuery = {
  relation: nameSchema,
  filter: rowFilterSchema.optional(),
  from: z.date().optional(),
  to: z.date().optional(),
};

function toAdded(r: AddResult) {
  return {
    id: r.id,
    relation: r.relation,
    key: r.key,
    createdAt: r.createdAt,
    data: r.data,
    inferences: r.inferences.map((i) => ({
      id: i.id,
      trigger: i.trigger,
      route: i.route,
      output: i.output,
      error: i.error,
      stateVersion: i.stateVersion,
      paramsHash: i.paramsHash,
      cached: i.cached,
      latencyMs: i.latencyMs,
    })),
  };
}

type AddedRow = ReturnType<typeof toAdded>;

export const rowsRouter = router({
  /** Newest first; keyset pagination on the time-sortable id (never OFFSET). */
  list: viewerProcedure
    .input(z.object({ ...rowQuery, cursor: idCursorSchema, limit: limitSchema }))
    .query(({ ctx, input }) => {
      requireRelation(ctx.motion, input.relation);
      // A filtered page may scan many rows to fill itself: the engine reads it off the main thread.
      return ctx.motion.rows(input);
    }),

  /** Separate from list so a table renders before its count. */
  count: viewerProcedure.input(z.object(rowQuery)).query(async ({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    return { count: await ctx.motion.countRows(input) };
  }),

  /** One row with the inferences made on it and their feedback. */
  get: viewerProcedure.input(z.object({ id: idSchema })).query(({ ctx, input }) => ctx.motion.row(input.id)),

  /**
   * Validates, stores, runs infer on the active state and returns the inferences (a write:
   * labeler). With `idempotencyKey`, a retry of the same request returns the first answer.
   */
  add: labelerProcedure.input(z.object({ relation: nameSchema, row: z.unknown(), idempotencyKey: idempotencyKeySchema.optional(), variants: variantsSchema })).mutation(async ({ ctx, input }) => {
    requireRelation(ctx.motion, input.relation);
    try {
      return await idempotent<AddedRow>({
        records: ctx.motion.idempotency,
        scope: principalKey(ctx.principal),
        key: input.idempotencyKey,
        procedure: "rows.add",
        input: { relation: input.relation, row: input.row, ...(input.variants ? { variants: input.variants } : {}) },
        ttlMs: ctx.options.idempotencyTtlMs,
        execute: async (store) => toAdded(await ctx.motion.add(input.relation, input.row, { alsoWrite: store ? ([r]) => store(toAdded(r!)) : undefined, variants: input.variants })),
      });
    } catch (error) {
      throw addError(error, "row");
    }
  }),

  /** Up to 1000 rows in one transaction: one invalid row rejects the batch. Same `idempotencyKey` as `add`. */
  addMany: labelerProcedure
    .input(z.object({ relation: nameSchema, rows: z.array(z.unknown()).min(1).max(1_000), idempotencyKey: idempotencyKeySchema.optional(), variants: variantsSchema }))
    .mutation(async ({ ctx, input }) => {
      requireRelation(ctx.motion, input.relation);
      try {
        return await idempotent<AddedRow[]>({
          records: ctx.motion.idempotency,
          scope: principalKey(ctx.principal),
          key: input.idempotencyKey,
          procedure: "rows.addMany",
          input: { relation: input.relation, rows: input.rows, ...(input.variants ? { variants: input.variants } : {}) },
          ttlMs: ctx.options.idempotencyTtlMs,
          execute: async (store) => (await ctx.motion.addMany(input.relation, input.rows, { alsoWrite: store ? (results) => store(results.map(toAdded)) : undefined, variants: input.variants })).map(toAdded),
        });
      } catch (error) {
        throw addError(error, "rows");
      }
    }),

  /**
   * Deletes a row with its inferences, their labels and the feedback rows mirroring them, and
   * its pending fit entries (see the engine's row-deletion.ts for what stays: fitted state, drift profiles).
   * Admin only; audited with the reason.
   */
  delete: adminProcedure.input(z.object({ id: idSchema, reason: reasonSchema })).mutation(async ({ ctx, input }) => {
    return ctx.motion.deleteRow(input.id, { actor: ctx.actor, reason: input.reason });
  }),

  /**
   * Deletes the rows of a relation stored before `before` ("delete rows older than…"), with
   * what `delete` takes, in audited batches; rows no fit has taken yet are kept. Stops after
   * about 20 s with `done: false`: call again to go on. Admin only.
   */
  purge: adminProcedure
    .input(z.object({ relation: nameSchema, before: z.date(), reason: reasonSchema }))
    .mutation(async ({ ctx, input }) => {
      requireRelation(ctx.motion, input.relation);
      return ctx.motion.retention.purge(input.relation, { before: input.before, actor: ctx.actor, reason: input.reason, maxMs: PURGE_BUDGET_MS });
    }),
});

/** One purge call's time budget: well inside any proxy's request timeout. */
const PURGE_BUDGET_MS = 20_000;
