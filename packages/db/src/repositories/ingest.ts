import { insertMany, type Query } from "../query.ts";

export interface RowInsert {
  id: string;
  relation: string;
  key: string | null;
  /** JSON text. */
  data: string;
  partition: string;
  createdAt: Date;
}

export interface InferenceInsert {
  id: string;
  rowId: string;
  relation: string;
  trigger: string;
  route: string;
  /** JSON text, or null when infer failed. */
  output: string | null;
  error: string | null;
  stateVersion: number;
  paramsHash: string;
  inputHash: string;
  latencyMs: number;
  cached: boolean;
  createdAt: Date;
}

export interface PendingInsert {
  trigger: string;
  route: string;
  rowId: string;
  partition: string;
  /** Held back until the partition is judged (drift `hold` routes). */
  held: boolean;
  createdAt: Date;
}

/** One batch's drift profile of one partition (mergeable sketches as JSON text). */
export interface ProfileInsert {
  id: string;
  relation: string;
  partition: string;
  rows: number;
  profile: string;
  createdAt: Date;
}

function* insertRows<T>(table: string, columns: string[], items: T[], values: (item: T) => unknown[]): Query<void> {
  const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `;
  yield* insertMany(head, columns.length, items.map(values));
}

const ROW_COLUMNS = ["id", "relation", "key", "data", "partition", "createdAt"];
const INFERENCE_COLUMNS = [
  "id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion",
  "paramsHash", "inputHash", "latencyMs", "cached", "createdAt",
];
const PENDING_COLUMNS = ["trigger", "route", "rowId", "partition", "held", "createdAt"];
const PROFILE_COLUMNS = ["id", "relation", "partition", "rows", "profile", "createdAt"];

/**
 * Writes rows, their inferences, their pending-fit entries and the batch's drift profiles;
 * run inside one transaction, so profile counts are committed exactly with their rows.
 */
export function* insertIngest(rows: RowInsert[], inferences: InferenceInsert[], pending: PendingInsert[], profiles: ProfileInsert[] = []): Query<void> {
  yield* insertRows("Row", ROW_COLUMNS, rows, (r) => [r.id, r.relation, r.key, r.data, r.partition, r.createdAt]);
  yield* insertRows("Inference", INFERENCE_COLUMNS, inferences, (i) => [
    i.id, i.rowId, i.relation, i.trigger, i.route, i.output, i.error, i.stateVersion,
    i.paramsHash, i.inputHash, i.latencyMs, i.cached, i.createdAt,
  ]);
  yield* insertRows("PendingRow", PENDING_COLUMNS, pending, (p) => [p.trigger, p.route, p.rowId, p.partition, p.held, p.createdAt]);
  yield* insertRows("DriftProfile", PROFILE_COLUMNS, profiles, (p) => [p.id, p.relation, p.partition, p.rows, p.profile, p.createdAt]);
}
