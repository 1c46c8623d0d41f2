// The values a correction field marked `optionsFrom(relation, field)` may take: the distinct
// values of that top-level field among the relation's rows, each with a label (the `label`
// field of its newest row, when the hint names one). A console searches them to fill a select;
// `Motion.feedback` refuses a correction whose value is not among them.

import { selectAll, sql, storage, type Provider, type Query, type RawBuilder } from "@motion/db";
import { optionsFromFields, type JsonSchema, type OptionsFrom } from "./correction.ts";
import { ValidationError, type RowIssue } from "./errors.ts";

export interface OptionValue {
  value: string;
  /** The newest row's label field, or null (no label field, or not a string). */
  label: string | null;
}

export interface OptionQuery {
  /** Case-insensitive substring of the value or the label. */
  search?: string;
  /** Only these values (to check that they exist). */
  values?: readonly string[];
  limit: number;
}

/** A top-level string field of `data` (null when absent or not a string), the field name bound. */
function textField(provider: Provider, field: string): RawBuilder<string | null> {
  const data = sql.ref("data");
  if (provider === "postgresql") {
    return sql<string | null>`(CASE WHEN jsonb_typeof(${data} -> CAST(${field} AS text)) = 'string' THEN ${data} ->> CAST(${field} AS text) END)`;
  }
  const path = `$."${field.replace(/"/g, "")}"`;
  return sql<string | null>`(CASE WHEN json_type(${data}, ${path}) = 'text' THEN json_extract(${data}, ${path}) END)`;
}

/** Distinct values (newest row first per value), ordered by label then value. */
export function* optionValues(provider: Provider, from: OptionsFrom, query: OptionQuery): Query<OptionValue[]> {
  const value = textField(provider, from.field);
  const label = from.label ? textField(provider, from.label) : sql<string | null>`CAST(NULL AS text)`;
  // The newest row of each value (n = 1) carries its label.
  const newest = storage.selectFrom("Row")
    .select([value.as("value"), label.as("label"), sql<number>`ROW_NUMBER() OVER (PARTITION BY ${value} ORDER BY ${sql.ref("id")} DESC)`.as("n")])
    .where("relation", "=", from.relation).where(value, "is not", null);
  let q = storage.selectFrom(newest.as("t")).select(["value", "label"]).where("n", "=", 1);
  if (query.search) {
    const search = query.search;
    const contains = (text: RawBuilder<unknown>) =>
      provider === "postgresql" ? sql<boolean>`strpos(lower(${text}), lower(CAST(${search} AS text))) > 0` : sql<boolean>`instr(lower(${text}), lower(${search})) > 0`;
    q = q.where((eb) => eb.or([contains(sql`${sql.ref("value")}`), contains(sql`COALESCE(${sql.ref("label")}, '')`)]));
  }
  if (query.values) {
    if (!query.values.length) return [];
    q = q.where("value", "in", [...query.values]);
  }
  const rows = yield* selectAll(q.orderBy(sql`COALESCE(${sql.ref("label")}, ${sql.ref("value")})`).orderBy("value").limit(query.limit));
  return rows as OptionValue[];
}

/** The values a parsed correction gives to fields with an `optionsFrom` hint, with their paths. */
export function optionFieldValues(schema: JsonSchema, correction: unknown): { path: (string | number)[]; value: unknown; from: OptionsFrom }[] {
  const out: { path: (string | number)[]; value: unknown; from: OptionsFrom }[] = [];
  for (const { path, optionsFrom } of optionsFromFields(schema)) {
    const walk = (node: unknown, rest: string[], at: (string | number)[]) => {
      if (node === undefined || node === null) return;
      if (!rest.length) {
        out.push({ path: at, value: node, from: optionsFrom });
        return;
      }
      const [head, ...tail] = rest;
      if (head === "*") {
        if (Array.isArray(node)) node.forEach((item, i) => walk(item, tail, [...at, i]));
      } else if (typeof node === "object") {
        walk((node as Record<string, unknown>)[head!], tail, [...at, head!]);
      }
    };
    walk(correction, path, []);
  }
  return out;
}

/**
 * Refuses a correction naming a value no row of the hinted relation has (ValidationError at
 * `correction.<path>`, like a zod issue), so an operator's pick always names a real record.
 */
export function* checkOptionValues(provider: Provider, schema: JsonSchema, correction: unknown): Query<void> {
  const issues: RowIssue[] = [];
  for (const { path, value, from } of optionFieldValues(schema, correction)) {
    const found = typeof value === "string" ? yield* optionValues(provider, from, { values: [value], limit: 1 }) : [];
    if (!found.length) {
      issues.push({ index: 0, path: ["correction", ...path], code: "invalid_value", message: `no ${from.relation} row has ${from.field} ${JSON.stringify(value)}` });
    }
  }
  if (issues.length) throw new ValidationError("feedback", issues);
}
