// Rows as the console and API browse them: newest first by the time-sortable id (keyset, never
// OFFSET), optionally filtered on top-level JSON fields and a time range, and one row with its
// inferences and their labels. Field filters compile per provider: SQLite `json_extract` /
// `json_type`, PostgreSQL `jsonb` operators; types are checked before comparing, so a filter
// never casts a value that isn't of its type (no runtime SQL errors), and values are bound.
import { all, decodeJson, get, idFloor, toDate, type Provider, type Query } from "@motion/db";
import { inferenceFeedback, inferenceRecord, type InferenceFeedback, type InferenceRecord } from "./inference-search.ts";
import { pageOf, type Page } from "./page.ts";

export interface FieldFilter {
  /** A top-level field of the row's data. */
  field: string;
  op: "eq" | "contains" | "gt" | "lt";
  value: string | number | boolean | null;
}

export interface RowQuery {
  relation: string;
  filter?: FieldFilter[];
  /** Rows created at or after. */
  from?: Date;
  /** Rows created at or before. */
  to?: Date;
}

export interface RowItem {
  id: string;
  key: string | null;
  createdAt: Date;
  data: unknown;
}

export interface RowDetail extends RowItem {
  relation: string;
  partition: string;
  inferences: (InferenceRecord & { feedback: InferenceFeedback[] })[];
}

interface Sql {
  clauses: string[];
  params: unknown[];
}

/** Smallest id at `ms` (ids are time-sortable; idFloor clamps to the ids' range). */
const idAtMs = (ms: number) => idFloor(ms);

function sqliteClause(f: FieldFilter, sql: Sql): void {
  const path = `$."${f.field}"`;
  const v = f.value;
  if (f.op === "eq") {
    if (v === null) {
      sql.clauses.push(`json_type("data", ?) = 'null'`);
      sql.params.push(path);
    } else if (typeof v === "boolean") {
      sql.clauses.push(`json_type("data", ?) = ?`);
      sql.params.push(path, v ? "true" : "false");
    } else if (typeof v === "number") {
      sql.clauses.push(`json_type("data", ?) IN ('integer', 'real') AND json_extract("data", ?) = ?`);
      sql.params.push(path, path, v);
    } else {
      sql.clauses.push(`json_type("data", ?) = 'text' AND json_extract("data", ?) = ?`);
      sql.params.push(path, path, v);
    }
    return;
  }
  if (f.op === "contains") {
    sql.clauses.push(`json_type("data", ?) = 'text' AND instr(lower(json_extract("data", ?)), lower(?)) > 0`);
    sql.params.push(path, path, v);
    return;
  }
  const cmp = f.op === "gt" ? ">" : "<";
  const types = typeof v === "number" ? `IN ('integer', 'real')` : `= 'text'`;
  sql.clauses.push(`json_type("data", ?) ${types} AND json_extract("data", ?) ${cmp} ?`);
  sql.params.push(path, path, v);
}

function postgresClause(f: FieldFilter, sql: Sql): void {
  const v = f.value;
  const field = `("data" -> CAST(? AS text))`;
  const text = `("data" ->> CAST(? AS text))`;
  if (f.op === "eq") {
    sql.clauses.push(`${field} = CAST(? AS jsonb)`);
    sql.params.push(f.field, JSON.stringify(v));
    return;
  }
  if (f.op === "contains") {
    sql.clauses.push(`jsonb_typeof(${field}) = 'string' AND strpos(lower(${text}), lower(CAST(? AS text))) > 0`);
    sql.params.push(f.field, f.field, v);
    return;
  }
  const cmp = f.op === "gt" ? ">" : "<";
  if (typeof v === "number") {
    // CASE guards the cast: PostgreSQL does not promise AND evaluation order.
    sql.clauses.push(`(CASE WHEN jsonb_typeof(${field}) = 'number' THEN CAST(${text} AS numeric) END) ${cmp} CAST(? AS numeric)`);
    sql.params.push(f.field, f.field, String(v));
  } else {
    sql.clauses.push(`jsonb_typeof(${field}) = 'string' AND ${text} COLLATE "C" ${cmp} CAST(? AS text)`);
    sql.params.push(f.field, f.field, v);
  }
}

/** WHERE clauses for rows of `relation` matching `filter` (and strictly older than `cursor`). */
export function rowWhere(provider: Provider, query: RowQuery, cursor?: string | null): Sql {
  const sql: Sql = { clauses: [`"relation" = ?`], params: [query.relation] };
  if (query.from) {
    sql.clauses.push(`"id" >= ?`);
    sql.params.push(idAtMs(query.from.getTime()));
  }
  if (query.to) {
    // Exclusive upper bound for an inclusive `to`.
    sql.clauses.push(`"id" < ?`);
    sql.params.push(idAtMs(query.to.getTime() + 1));
  }
  if (cursor) {
    sql.clauses.push(`"id" < ?`);
    sql.params.push(cursor);
  }
  for (const f of query.filter ?? []) (provider === "postgresql" ? postgresClause : sqliteClause)(f, sql);
  return sql;
}

export function* listRows(provider: Provider, query: RowQuery & { cursor?: string | null; limit: number }): Query<Page<RowItem>> {
  const where = rowWhere(provider, query, query.cursor);
  const rows = yield* all<{ id: string; key: string | null; createdAt: unknown; data: unknown }>(
    `SELECT "id", "key", "createdAt", "data" FROM "Row" WHERE ${where.clauses.join(" AND ")} ORDER BY "id" DESC LIMIT ?`,
    [...where.params, query.limit + 1],
  );
  return pageOf(rows.map((r) => ({ id: r.id, key: r.key, createdAt: toDate(r.createdAt), data: decodeJson(provider, r.data) })), query.limit);
}

export function* countRows(provider: Provider, query: RowQuery): Query<number> {
  const where = rowWhere(provider, query);
  const r = yield* get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE ${where.clauses.join(" AND ")}`, where.params);
  return Number(r?.n ?? 0);
}

/** One row with the inferences made on it and their labels, or undefined. */
export function* readRowDetail(provider: Provider, id: string): Query<RowDetail | undefined> {
  const row = yield* get<{ id: string; relation: string; key: string | null; partition: string; createdAt: unknown; data: unknown }>(
    `SELECT "id", "relation", "key", "partition", "createdAt", "data" FROM "Row" WHERE "id" = ?`,
    [id],
  );
  if (!row) return undefined;
  const inferences = yield* all<Record<string, unknown>>(`SELECT * FROM "Inference" WHERE "rowId" = ? ORDER BY "id"`, [id]);
  const ids = inferences.map((i) => i.id as string);
  const feedback = ids.length ? yield* all<Record<string, unknown>>(`SELECT * FROM "Feedback" WHERE "inferenceId" IN (${ids.map(() => "?").join(", ")}) ORDER BY "id"`, ids) : [];
  return {
    id: row.id, relation: row.relation, key: row.key, partition: row.partition, createdAt: toDate(row.createdAt), data: decodeJson(provider, row.data),
    inferences: inferences.map((i) => ({
      ...inferenceRecord(i, provider),
      feedback: feedback.filter((f) => f.inferenceId === i.id).map((f) => inferenceFeedback(f, provider)),
    })),
  };
}
