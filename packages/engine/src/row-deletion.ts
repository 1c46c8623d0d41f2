// Deleting a row (e.g. a data-removal request). In one transaction, with the row go:
// - its inferences, the labels (feedback) on them, and review locks on them;
// - the rows of the built-in `feedback` relation that mirror those labels (they copy the
//   row's data as `input`), with their own inferences and labels, and so on transitively;
// - its pending fit entries (not yet fitted rows are never fitted; a fit already running may
//   have read it).
// If the row is itself a `feedback` row, the label it mirrors goes too. State versions already
// fitted on the row are immutable and keep what they learned (roll back or refit to drop it);
// drift profiles keep counting it.
import { addLabelTally, addLabeledTally } from "./activity/label-tally.ts";
import { addRelationRows, execute, selectAll, selectFirst, sql, storage, toDate, toNum, type Query } from "@motion/db";
import { recordAudit } from "./audit-log.ts";
import { removeQueueItems } from "./review-queue/queue-store.ts";
import { addMinutes, rollUpMinutes } from "./activity/minute-rollup.ts";
import { addHours, hourOf, labelHours, mergeHours, rollUpHours, type HourSample } from "./outcomes/outcome-hours.ts";
import { labelDelta, type LabelState } from "./outcomes/outcome-rollup.ts";

export interface DeletedRow {
  id: string;
  relation: string;
  key: string | null;
  /** Every row deleted, this one first (the others mirror labels). */
  rowIds: string[];
  inferences: number;
  feedback: number;
  pendingFits: number;
}

/** 1 when a label carries a correction, else 0. */
const corrected = () => sql<number>`CASE WHEN ${sql.ref("f.correction")} IS NULL THEN 0 ELSE 1 END`;

/** A (trigger, route) whose pending entries may name the rows. */
export interface FitRoute {
  trigger: string;
  route: string;
}

export interface DeletedRows {
  /** Every row deleted: the ones asked for that existed, then the feedback rows mirroring their labels. */
  rowIds: string[];
  inferences: number;
  feedback: number;
  pendingFits: number;
}

/**
 * Deletes `ids` (those that exist) with everything above, set-based: a few statements per
 * level of label mirroring, whatever the number of rows (callers bound it: ids go into IN lists).
 */
export function* deleteRows(ids: readonly string[], routes: readonly FitRoute[]): Query<DeletedRows> {
  const found = ids.length ? yield* selectAll(storage.selectFrom("Row").select("id").where("id", "in", [...ids])) : [];
  const seen = new Set<string>(found.map((r) => r.id));
  const rowIds = ids.filter((id) => seen.has(id));
  const inferenceIds: string[] = [];
  const removed: HourSample[] = [];
  const feedbackIds = new Set<string>();
  // The labels these rows mirror, for rows of the `feedback` relation.
  // Their inferences may outlive them: their `labeled` flag is recomputed below.
  const relabel = new Set<string>();
  if (rowIds.length) {
    for (const f of yield* selectAll(storage.selectFrom("Feedback").select(["id", "inferenceId"]).where("rowId", "in", rowIds))) {
      feedbackIds.add(f.id);
      relabel.add(f.inferenceId);
    }
  }
  for (let next = rowIds; next.length; ) {
    const inferences = yield* selectAll(
      storage.selectFrom("Inference").select(["id", "trigger", "createdAt", "latencyMs", "error", "stateVersion", "paramsHash", "cached"]).where("rowId", "in", next),
    );
    const ids = inferences.map((i) => i.id);
    for (const i of inferences) {
      removed.push({
        trigger: i.trigger, createdAt: toDate(i.createdAt), latencyMs: toNum(i.latencyMs), error: i.error,
        stateVersion: toNum(i.stateVersion), paramsHash: i.paramsHash, cached: i.cached === true || Number(i.cached) === 1,
      });
    }
    inferenceIds.push(...ids);
    const labels = ids.length ? yield* selectAll(storage.selectFrom("Feedback").select(["id", "rowId"]).where("inferenceId", "in", ids)) : [];
    next = [];
    for (const label of labels) {
      feedbackIds.add(label.id);
      if (!seen.has(label.rowId)) {
        seen.add(label.rowId);
        rowIds.push(label.rowId);
        next.push(label.rowId);
      }
    }
  }
  const feedback = [...feedbackIds];
  // The hourly outcomes follow the latest label of each inference: a deleted inference takes its
  // latest label with it; one that stays but loses labels falls back to its latest remaining one.
  const hourLabels = yield* labelLosses([...new Set([...inferenceIds, ...relabel])], feedbackIds, new Set(inferenceIds));
  if (inferenceIds.length) yield* execute(storage.deleteFrom("LabelLock").where("inferenceId", "in", inferenceIds));
  // Scores of a deleted inference go with it (its queue items go below, after the label tallies).
  if (inferenceIds.length) yield* execute(storage.deleteFrom("InferenceScore").where("inferenceId", "in", inferenceIds));
  if (feedback.length) {
    // The label tallies lose these labels (their inferences still exist here: deleted below).
    const gone = yield* selectAll(
      storage.selectFrom("Feedback as f").innerJoin("Inference as i", "i.id", "f.inferenceId").select((eb) => ["i.trigger", "f.actor", "f.label", eb.fn.countAll().as("n")])
        .where("f.id", "in", feedback).groupBy(["i.trigger", "f.actor", "f.label"]),
    );
    yield* addLabelTally(gone.map((g) => ({ trigger: g.trigger, actor: g.actor, label: g.label, labels: -toNum(g.n) })));
    yield* execute(storage.deleteFrom("Feedback").where("id", "in", feedback));
  }
  // Labeled inferences that go, and those that stay but lost their last label, leave the labeled count.
  const unlabeledNow = new Map<string, number>();
  if (inferenceIds.length) {
    for (const r of yield* selectAll(storage.selectFrom("Inference").select((eb) => ["trigger", eb.fn.countAll().as("n")]).where("id", "in", inferenceIds).where("labeled", "=", true).groupBy("trigger"))) {
      unlabeledNow.set(r.trigger, (unlabeledNow.get(r.trigger) ?? 0) - toNum(r.n));
    }
  }
  if (inferenceIds.length) yield* execute(storage.deleteFrom("Inference").where("id", "in", inferenceIds));
  // Shadow answers to a deleted row's inferences are derived from the row: they go too. After
  // the inferences: a shadow write in flight holds key-share locks on them, so this statement
  // runs once it committed and sees its rows (see experiments/shadow-queue.ts).
  if (inferenceIds.length) yield* execute(storage.deleteFrom("ShadowInference").where("inferenceId", "in", inferenceIds));
  // An inference that lost labels but not its row keeps `labeled` only while a label remains.
  for (const id of inferenceIds) relabel.delete(id);
  const kept = [...relabel];
  const flips = kept.length
    ? yield* selectAll(
        storage.selectFrom("Inference as i").select(["i.id", "i.trigger"]).where("i.id", "in", kept).where("i.labeled", "=", true)
          .where((eb) => eb.not(eb.exists(eb.selectFrom("Feedback as f").select("f.id").whereRef("f.inferenceId", "=", "i.id")))),
      )
    : [];
  if (flips.length) yield* execute(storage.updateTable("Inference").set({ labeled: false }).where("id", "in", flips.map((f) => f.id)));
  for (const f of flips) unlabeledNow.set(f.trigger, (unlabeledNow.get(f.trigger) ?? 0) - 1);
  yield* addLabeledTally(unlabeledNow);
  // Queue items of a deleted inference go with it, and the queues count them out (a queue's total
  // shrinks). After the label tallies: a label locks tallies then queues, and so does this.
  yield* removeQueueItems(inferenceIds);
  // The per-minute activity counts the inferences that exist (shard 0: deletions are rare).
  if (removed.length) yield* addMinutes(rollUpMinutes(removed, -1), 0);
  // So do the hourly outcomes (the Compare page's charts over time); the cumulative per-version totals keep them.
  const hours = mergeHours(rollUpHours(removed, -1), hourLabels);
  if (hours.hours.length || hours.latencies.length) yield* addHours(hours, 0);
  // By primary key, route by route: PendingRow has no index on rowId alone (ingest pays for every index).
  let pendingFits = 0;
  if (rowIds.length) for (const r of routes) pendingFits += yield* execute(storage.deleteFrom("PendingRow").where("trigger", "=", r.trigger).where("route", "=", r.route).where("rowId", "in", rowIds));
  if (rowIds.length) {
    // The kept row counts lose these rows (shard 0: deletions are rare).
    const gone = yield* selectAll(storage.selectFrom("Row").select((eb) => ["relation", eb.fn.countAll().as("n")]).where("id", "in", rowIds).groupBy("relation"));
    yield* addRelationRows(new Map(gone.map((g) => [g.relation, -toNum(g.n)])), 0);
    yield* execute(storage.deleteFrom("Row").where("id", "in", rowIds));
  }
  return { rowIds, inferences: inferenceIds.length, feedback: feedback.length, pendingFits };
}

/** How the latest label of each of `ids` moves when the labels `gone` go (and the inferences `dropped` with all theirs). */
function* labelLosses(ids: readonly string[], gone: ReadonlySet<string>, dropped: ReadonlySet<string>) {
  if (!ids.length || (!gone.size && !dropped.size)) return labelHours([]);
  const rows = yield* selectAll(
    storage.selectFrom("Inference as i").innerJoin("Feedback as f", "f.inferenceId", "i.id")
      .select(["i.id", "i.trigger", "i.stateVersion", "i.paramsHash", "i.createdAt", "f.id as fid", "f.label", corrected().as("corrected")])
      .where("i.id", "in", [...ids]).orderBy("f.id"),
  );
  const per = new Map<string, { key: { trigger: string; stateVersion: number; hour: number; paramsHash: string }; before: LabelState | null; after: LabelState | null }>();
  for (const r of rows) {
    let p = per.get(r.id);
    if (!p) per.set(r.id, (p = { key: { trigger: r.trigger, stateVersion: toNum(r.stateVersion), hour: hourOf(toDate(r.createdAt)), paramsHash: r.paramsHash }, before: null, after: null }));
    const state = { label: r.label, corrected: Number(r.corrected) === 1 };
    p.before = state; // ordered by label id: the last one seen is the latest
    if (!dropped.has(r.id) && !gone.has(r.fid)) p.after = state;
  }
  return labelHours([...per.values()].map((p) => ({ ...p.key, ...labelDelta(p.before, p.after) })));
}

/** Deletes the row and what hangs off it (above), audited with the reason, in one transaction. */
export function* deleteRow(id: string, routes: readonly FitRoute[], by: { actor: string; reason?: string | null; at?: Date }): Query<DeletedRow | null> {
  const row = yield* selectFirst(storage.selectFrom("Row").select(["id", "relation", "key"]).where("id", "=", id));
  if (!row) return null;
  const deleted: DeletedRow = { id, relation: row.relation, key: row.key, ...(yield* deleteRows([id], routes)) };
  yield* recordAudit({ actor: by.actor, action: "rows.delete", target: id, reason: by.reason, data: deleted, at: by.at });
  return deleted;
}
