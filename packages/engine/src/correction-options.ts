// The values a correction field marked `optionsFrom(relation, field)` may take: the distinct
// values of that top-level field among the relation's rows, each with a label (the `label`
// field of its newest row, when the hint names one). A console searches them to fill a select;
// `Motion.feedback` refuses a correction whose value is not among them.

import { all, type Provider, type Query } from "@motion/db";
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

/** A top-level string field of `data` (null when absent or not a string), and its params. */
function textField(provider: Provider, field: string): { sql: string; params: unknown[] } {
  if (provider === "postgresql") {
    return { sql: `(CASE WHEN jsonb_typeof("data" -> CAST(? AS text)) = 'string' THEN "data" ->> CAST(? AS text) END)`, params: [field, field] };
  }
  const path = `$."${field.replace(/"/g, "")}"`;
  return { sql: `(CASE WHEN json_type("data", ?) = 'text' THEN json_extract("data", ?) END)`, params: [path, path] };
}

/** Distinct values (newest row first per value), ordered by label then value. */
export function* optionValues(provider: Provider, from: OptionsFrom, query: OptionQuery): Query<OptionValue[]> {
  const value = textField(provider, from.field);
  const label = from.label ? textField(provider, from.label) : { sql: `CAST(NULL AS text)`, params: [] };
  const params: unknown[] = [...value.params, ...label.params, ...value.params, from.relation, ...value.params];
  const where: string[] = [`"n" = 1`];
  if (query.search) {
    const contains = provider === "postgresql" ? `strpos(lower(%s), lower(CAST(? AS text))) > 0` : `instr(lower(%s), lower(?)) > 0`;
    where.push(`(${contains.replace("%s", `"value"`)} OR ${contains.replace("%s", `COALESCE("label", '')`)})`);
    params.push(query.search, query.search);
  }
  if (query.values) {
    if (!query.values.length) return [];
    where.push(`"value" IN (${query.values.map(() => "?").join(", ")})`);
    params.push(...query.values);
  }
  params.push(query.limit);
  return yield* all<OptionValue>(
    `SELECT "value", "label" FROM (` +
      `SELECT ${value.sql} AS "value", ${label.sql} AS "label", ROW_NUMBER() OVER (PARTITION BY ${value.sql} ORDER BY "id" DESC) AS "n" ` +
      `FROM "Row" WHERE "relation" = ? AND ${value.sql} IS NOT NULL` +
      `) t WHERE ${where.join(" AND ")} ORDER BY COALESCE("label", "value"), "value" LIMIT ?`,
    params,
  );
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
