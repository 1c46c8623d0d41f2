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
 * How far labeling has come for a trigger, in work proportional to its labels and active
 * minutes rather than its inferences: the total is the rollups' sum (they count exactly the
 * stored inferences: written with them, subtracted when rows are deleted).
 */
export function* readLabelCounts(trigger: string): Query<LabelCounts> {
  const total = yield* get<{ n: unknown }>(`SELECT COALESCE(SUM("inferences"), 0) AS "n" FROM "InferenceMinute" WHERE "trigger" = ?`, [trigger]);
  // CROSS JOIN keeps SQLite walking the labels and looking each inference up by id; a plain
  // join let it walk every inference of the trigger instead (PostgreSQL plans either way).
  const labeled = yield* get<{ n: unknown }>(
    `SELECT COUNT(DISTINCT f."inferenceId") AS "n" FROM "Feedback" f CROSS JOIN "Inference" i WHERE i."id" = f."inferenceId" AND i."trigger" = ?`,
    [trigger],
  );
  const byActor = yield* all<{ actor: string; label: string; n: unknown }>(
    `SELECT f."actor", f."label", COUNT(*) AS "n" FROM "Feedback" f CROSS JOIN "Inference" i WHERE i."id" = f."inferenceId" AND i."trigger" = ? GROUP BY f."actor", f."label"`,
    [trigger],
  );
  return { total: toNum(total?.n ?? 0), labeled: toNum(labeled?.n ?? 0), byActor: byActor.map((r) => ({ actor: r.actor, label: r.label, n: toNum(r.n) })) };
}
