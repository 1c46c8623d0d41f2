// Raw label exports as CSV (RFC 4180): one header, fields quoted when they hold a comma, quote
// or line break; structured values (input, output, correction) as compact JSON text.
import type { ExportedLabel } from "./label-export.ts";

export const LABEL_CSV_COLUMNS = ["inferenceId", "rowId", "relation", "route", "stateVersion", "label", "actor", "labeledAt", "labels", "note", "input", "output", "correction"] as const;

function cell(value: unknown): string {
  const text = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The fixed columns, then one `score.<name>` column per score the trigger declares. */
export function labelCsvHeader(scoreNames: readonly string[] = []): string {
  return [...LABEL_CSV_COLUMNS, ...scoreNames.map((n) => `score.${n}`)].map(cell).join(",") + "\r\n";
}

export function labelCsvRows(items: readonly ExportedLabel[], scoreNames: readonly string[] = []): string {
  let out = "";
  for (const item of items) out += [...LABEL_CSV_COLUMNS.map((c) => cell(item[c])), ...scoreNames.map((n) => cell(item.scores[n]))].join(",") + "\r\n";
  return out;
}

/** JSON Lines: one object per labeled inference, every field as stored. */
export function labelJsonl(items: readonly ExportedLabel[]): string {
  let out = "";
  for (const item of items) out += JSON.stringify({ ...item, labeledAt: item.labeledAt.toISOString() }) + "\n";
  return out;
}
