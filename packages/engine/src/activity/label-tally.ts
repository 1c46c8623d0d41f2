// Running label counts per trigger, kept in the transactions that write or delete labels so the
// Review page's progress reads a few rows however many labels exist:
//   LabelTally   (trigger, actor, label) -> labels given (every label, relabels included)
//   LabeledTally (trigger)               -> inferences with at least one label (Inference.labeled)
import { insertRows, type Query } from "@motion/db";

export interface LabelTallyDelta {
  trigger: string;
  actor: string;
  label: string;
  labels: number;
}

/** Adds label counts (negative to subtract), in the caller's transaction. */
export function* addLabelTally(deltas: readonly LabelTallyDelta[]): Query<void> {
  const merged = new Map<string, LabelTallyDelta>();
  for (const d of deltas) {
    const key = JSON.stringify([d.trigger, d.actor, d.label]);
    const m = merged.get(key);
    if (m) m.labels += d.labels;
    else merged.set(key, { ...d });
  }
  // Sorted keys: concurrent PostgreSQL writers lock the tally rows in one order.
  const rows = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d).filter((d) => d.labels !== 0);
  yield* insertRows("LabelTally", ["trigger", "actor", "label", "labels"], rows.map((d) => [d.trigger, d.actor, d.label, d.labels]), { on: ["trigger", "actor", "label"], add: ["labels"] });
}

/** Adds to the labeled-inference counts per trigger (negative to subtract). */
export function* addLabeledTally(byTrigger: ReadonlyMap<string, number>): Query<void> {
  const rows = [...byTrigger.entries()].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  yield* insertRows("LabeledTally", ["trigger", "labeled"], rows.map(([t, n]) => [t, n]), { on: ["trigger"], add: ["labeled"] });
}
