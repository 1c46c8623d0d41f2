import { all, get, toNum, type Query } from "@motion/db";

export interface LabelCounts {
  /** Inferences of the trigger (from the per-minute rollups: no scan of the inferences). */
  total: number;
  /** Inferences with at least one label. */
  labeled: number;
  /** Labels per actor and label value. */
  byActor: { actor: string; label: string; n: number }[];
}

/**
 * How far labeling has come for a trigger, in work proportional to its labelers and active
 * minutes rather than its inferences or labels: the total is the rollups' sum (they count
 * exactly the stored inferences: written with them, subtracted when rows are deleted), the
 * labeled count and the per-labeler counts are tallies kept with the labels (label-tally.ts).
 */
export function* readLabelCounts(trigger: string): Query<LabelCounts> {
  const total = yield* get<{ n: unknown }>(`SELECT COALESCE(SUM("inferences"), 0) AS "n" FROM "InferenceMinute" WHERE "trigger" = ?`, [trigger]);
  const labeled = yield* get<{ n: unknown }>(`SELECT "labeled" AS "n" FROM "LabeledTally" WHERE "trigger" = ?`, [trigger]);
  const byActor = yield* all<{ actor: string; label: string; n: unknown }>(
    `SELECT "actor", "label", "labels" AS "n" FROM "LabelTally" WHERE "trigger" = ? AND "labels" <> 0 ORDER BY "actor", "label"`,
    [trigger],
  );
  return { total: toNum(total?.n ?? 0), labeled: toNum(labeled?.n ?? 0), byActor: byActor.map((r) => ({ actor: r.actor, label: r.label, n: toNum(r.n) })) };
}
