// Deleting a row (e.g. a data-removal request). In one transaction, with the row go:
// - its inferences, the labels (feedback) on them, and review locks on them;
// - the rows of the built-in `feedback` relation that mirror those labels (they copy the
//   row's data as `input`), with their own inferences and labels, and so on transitively;
// - its pending fit entries (not yet fitted rows are never fitted; a fit already running may
//   have read it).
// If the row is itself a `feedback` row, the label it mirrors goes too. State versions already
// fitted on the row are immutable and keep what they learned (roll back or refit to drop it);
// drift profiles keep counting it.
import { all, get, run, type Query } from "@motion/db";
import { recordAudit } from "./audit-log.ts";

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

const marks = (n: number) => new Array(n).fill("?").join(", ");

function* deleteRowGraph(id: string): Query<DeletedRow | null> {
  const row = yield* get<{ id: string; relation: string; key: string | null }>(`SELECT "id", "relation", "key" FROM "Row" WHERE "id" = ?`, [id]);
  if (!row) return null;
  const rowIds = [id];
  const inferenceIds: string[] = [];
  const feedbackIds = new Set<string>();
  // The label this row mirrors, if it is a feedback row.
  for (const f of yield* all<{ id: string }>(`SELECT "id" FROM "Feedback" WHERE "rowId" = ?`, [id])) feedbackIds.add(f.id);
  for (let next = [id]; next.length; ) {
    const inferences = yield* all<{ id: string }>(`SELECT "id" FROM "Inference" WHERE "rowId" IN (${marks(next.length)})`, next);
    const ids = inferences.map((i) => i.id);
    inferenceIds.push(...ids);
    const labels = ids.length ? yield* all<{ id: string; rowId: string }>(`SELECT "id", "rowId" FROM "Feedback" WHERE "inferenceId" IN (${marks(ids.length)})`, ids) : [];
    next = [];
    for (const label of labels) {
      feedbackIds.add(label.id);
      if (!rowIds.includes(label.rowId)) {
        rowIds.push(label.rowId);
        next.push(label.rowId);
      }
    }
  }
  const feedback = [...feedbackIds];
  if (inferenceIds.length) yield* run(`DELETE FROM "LabelLock" WHERE "inferenceId" IN (${marks(inferenceIds.length)})`, inferenceIds);
  if (feedback.length) yield* run(`DELETE FROM "Feedback" WHERE "id" IN (${marks(feedback.length)})`, feedback);
  if (inferenceIds.length) yield* run(`DELETE FROM "Inference" WHERE "id" IN (${marks(inferenceIds.length)})`, inferenceIds);
  const pendingFits = yield* run(`DELETE FROM "PendingRow" WHERE "rowId" IN (${marks(rowIds.length)})`, rowIds);
  yield* run(`DELETE FROM "Row" WHERE "id" IN (${marks(rowIds.length)})`, rowIds);
  return { id, relation: row.relation, key: row.key, rowIds, inferences: inferenceIds.length, feedback: feedback.length, pendingFits };
}

/** Deletes the row and what hangs off it (above), audited with the reason, in one transaction. */
export function* deleteRow(id: string, by: { actor: string; reason?: string | null; at?: Date }): Query<DeletedRow | null> {
  const deleted = yield* deleteRowGraph(id);
  if (deleted) yield* recordAudit({ actor: by.actor, action: "rows.delete", target: deleted.id, reason: by.reason, data: deleted, at: by.at });
  return deleted;
}
