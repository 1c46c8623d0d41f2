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

const COUNT_HEAD = `INSERT INTO "RelationRowCount" ("relation", "shard", "rows") VALUES `;
const COUNT_TAIL = ` ON CONFLICT ("relation", "shard") DO UPDATE SET "rows" = "RelationRowCount"."rows" + excluded."rows"`;

/**
 * Adds `n` stored rows (negative: removes) per relation to the kept row counts, in relation
 * order (one lock order for concurrent writers). Called with every insert and delete of rows.
 */
export function* addRelationRows(deltas: ReadonlyMap<string, number>, shard = 0): Query<void> {
  const changes = [...deltas].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  yield* insertMany(COUNT_HEAD, 3, changes.map(([relation, n]) => [relation, shard, n]), COUNT_TAIL);
}

/**
 * Writes rows, their inferences, their pending-fit entries and the batch's drift profiles, and
 * counts the rows in; run inside one transaction, so profile and row counts are committed
 * exactly with their rows. `shard` spreads concurrent PostgreSQL writers of the row counts.
 */
export function* insertIngest(rows: RowInsert[], inferences: InferenceInsert[], pending: PendingInsert[], profiles: ProfileInsert[] = [], shard = 0): Query<void> {
  yield* insertRows("Row", ROW_COLUMNS, rows, (r) => [r.id, r.relation, r.key, r.data, r.partition, r.createdAt]);
  if (rows.length) {
    const perRelation = new Map<string, number>();
    for (const r of rows) perRelation.set(r.relation, (perRelation.get(r.relation) ?? 0) + 1);
    yield* addRelationRows(perRelation, shard);
  }
  yield* insertRows("Inference", INFERENCE_COLUMNS, inferences, (i) => [
    i.id, i.rowId, i.relation, i.trigger, i.route, i.output, i.error, i.stateVersion,
    i.paramsHash, i.inputHash, i.latencyMs, i.cached, i.createdAt,
  ]);
  yield* insertRows("PendingRow", PENDING_COLUMNS, pending, (p) => [p.trigger, p.route, p.rowId, p.partition, p.held, p.createdAt]);
  yield* insertRows("DriftProfile", PROFILE_COLUMNS, profiles, (p) => [p.id, p.relation, p.partition, p.rows, p.profile, p.createdAt]);
}
