import { run, valuesList, type Query } from "../query.ts";

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
  createdAt: Date;
}

// Keep each statement well under SQLite's 32,766 bound parameters.
const MAX_PARAMS = 30_000;

function* insertChunked<T>(table: string, columns: string[], items: T[], values: (item: T, out: unknown[]) => void): Query<void> {
  const per = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `;
  for (let start = 0; start < items.length; start += per) {
    const chunk = items.slice(start, start + per);
    const params: unknown[] = [];
    for (const item of chunk) values(item, params);
    yield* run(head + valuesList(chunk.length, columns.length), params);
  }
}

const ROW_COLUMNS = ["id", "relation", "key", "data", "partition", "createdAt"];
const INFERENCE_COLUMNS = [
  "id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion",
  "paramsHash", "inputHash", "latencyMs", "cached", "createdAt",
];
const PENDING_COLUMNS = ["trigger", "route", "rowId", "createdAt"];

/** Writes rows, their inferences and their pending-fit entries; run inside one transaction. */
export function* insertIngest(rows: RowInsert[], inferences: InferenceInsert[], pending: PendingInsert[]): Query<void> {
  yield* insertChunked("Row", ROW_COLUMNS, rows, (r, out) => {
    out.push(r.id, r.relation, r.key, r.data, r.partition, r.createdAt);
  });
  if (inferences.length) {
    yield* insertChunked("Inference", INFERENCE_COLUMNS, inferences, (i, out) => {
      out.push(i.id, i.rowId, i.relation, i.trigger, i.route, i.output, i.error, i.stateVersion,
        i.paramsHash, i.inputHash, i.latencyMs, i.cached, i.createdAt);
    });
  }
  if (pending.length) {
    yield* insertChunked("PendingRow", PENDING_COLUMNS, pending, (p, out) => {
      out.push(p.trigger, p.route, p.rowId, p.createdAt);
    });
  }
}
