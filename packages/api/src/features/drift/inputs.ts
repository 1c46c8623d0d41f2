// Input schemas of the drift procedures. A well-formed partition key that the relation does not
// have is NOT_FOUND (from the engine); a malformed one never reaches it (BAD_REQUEST, with path).
import { z } from "zod";
import { FINDING_STATISTICS } from "@motion/engine/drift";
import { idCursorSchema, nameSchema, reasonSchema } from "../../lib/common.ts";

/** The engine's partition keys: `2001-02-17T05` (hour), `2001-02-17` (day), `2001-W07` (week), `2001-02` (month). */
export const PARTITION_KEY = /^[+-]?\d{4,6}-(?:W\d{2}|\d{2}(?:-\d{2}(?:T\d{2})?)?)$/;

export const partitionSchema = z.string().max(32).regex(PARTITION_KEY, "expected a partition key such as 2001-02-17, 2001-02-17T05, 2001-W07 or 2001-02");

/** Every statistic a finding can name: a summary's statistics and `valueShare` (see docs/drift.md). */
export const STATISTIC_NAMES = [...new Set<string>(FINDING_STATISTICS)] as [string, ...string[]];
export const statisticSchema = z.enum(STATISTIC_NAMES);

/** A column's dotted path (`meta.seats`). */
export const columnSchema = z.string().min(1).max(256);

/** An inclusive range of partition keys; `from` after `to` is a mistake, not an empty answer. */
export const rangeShape = { from: partitionSchema.optional(), to: partitionSchema.optional() };
function rangeInOrder(input: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    ctx.addIssue({ code: "custom", path: ["to"], message: `must not be before from (${input.from})` });
  }
}

export const relationInput = z.object({ relation: nameSchema });
export const partitionsInput = z.object({ relation: nameSchema, ...rangeShape }).superRefine(rangeInOrder);
export const profileInput = z.object({ relation: nameSchema, partition: partitionSchema });
export const seriesInput = z.object({ relation: nameSchema, column: columnSchema, statistic: statisticSchema, ...rangeShape }).superRefine(rangeInOrder);
export const eventsInput = z.object({ relation: nameSchema, partition: partitionSchema.optional(), cursor: idCursorSchema, limit: z.number().int().min(1).max(500).default(100) });
/** An alert's cursor is `relation:partition` of the last alert of the previous page (relation names hold no ":"). */
export const alertsInput = z
  .object({ cursor: z.string().min(3).max(512).regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}:.+$/s, "a cursor from a previous page (relation:partition)").nullish(), limit: z.number().int().min(1).max(500).default(100) })
  .default({ limit: 100 });
export function alertCursor(cursor: string | null | undefined): { relation: string; partition: string } | undefined {
  if (!cursor) return undefined;
  const at = cursor.indexOf(":");
  return { relation: cursor.slice(0, at), partition: cursor.slice(at + 1) };
}
/** Release, drop, mark valid: the reason is required (it is kept with the event and in the audit log). */
export const decisionInput = z.object({ relation: nameSchema, partition: partitionSchema, reason: reasonSchema });

/** Only the keys that were given: the engine reads `undefined` and absent alike, but keeps its options exact. */
export function rangeOf(input: { from?: string; to?: string }): { from?: string; to?: string } {
  return { ...(input.from !== undefined ? { from: input.from } : {}), ...(input.to !== undefined ? { to: input.to } : {}) };
}
