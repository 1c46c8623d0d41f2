import { selectAll, selectFirst, sql, storage, toNum, type Query } from "@motion/db";

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
  const total = yield* selectFirst(storage.selectFrom("InferenceMinute").select((eb) => eb.fn.coalesce(eb.fn.sum("inferences"), sql.lit(0)).as("n")).where("trigger", "=", trigger));
  const labeled = yield* selectFirst(storage.selectFrom("LabeledTally").select("labeled as n").where("trigger", "=", trigger));
  const byActor = yield* selectAll(
    storage.selectFrom("LabelTally").select(["actor", "label", "labels as n"]).where("trigger", "=", trigger).where("labels", "<>", 0).orderBy("actor").orderBy("label"),
  );
  return { total: toNum(total?.n ?? 0), labeled: toNum(labeled?.n ?? 0), byActor: byActor.map((r) => ({ actor: r.actor, label: r.label, n: toNum(r.n) })) };
}
