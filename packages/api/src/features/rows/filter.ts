// Row filters on top-level JSON fields, compiled per provider: SQLite `json_extract` /
// `json_type`, PostgreSQL `jsonb` operators. Types are checked before comparing, so a filter
// never casts a value that isn't of its type (no runtime SQL errors), and values are bound.
import { z } from "zod";
import type { Provider } from "@motion/db";
import { idAfter, idAt } from "../../lib/common.ts";

export const FIELD = /^[A-Za-z0-9_-]{1,64}$/;

const scalar = z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]);

export const fieldFilterSchema = z
  .object({
    field: z.string().regex(FIELD, "a top-level field name: letters, digits, _ or -"),
    op: z.enum(["eq", "contains", "gt", "lt"]),
    value: scalar,
  })
  .superRefine((f, ctx) => {
    if (f.op === "contains" && typeof f.value !== "string") ctx.addIssue({ code: "custom", path: ["value"], message: "contains needs a string" });
    if ((f.op === "gt" || f.op === "lt") && typeof f.value !== "string" && typeof f.value !== "number") {
      ctx.addIssue({ code: "custom", path: ["value"], message: `${f.op} needs a number or a string` });
    }
  });

export type FieldFilter = z.infer<typeof fieldFilterSchema>;

export const rowFilterSchema = z.array(fieldFilterSchema).max(10);

export interface RowQuery {
  relation: string;
  filter?: FieldFilter[];
  /** Rows created at or after. */
  from?: Date;
  /** Rows created at or before. */
  to?: Date;
}

export interface Sql {
  clauses: string[];
  params: unknown[];
}

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
    sql.params.push(idAt(query.from));
  }
  if (query.to) {
    sql.clauses.push(`"id" < ?`);
    sql.params.push(idAfter(query.to));
  }
  if (cursor) {
    sql.clauses.push(`"id" < ?`);
    sql.params.push(cursor);
  }
  for (const f of query.filter ?? []) (provider === "postgresql" ? postgresClause : sqliteClause)(f, sql);
  return sql;
}
