import { inputIssues, type InputIssue } from "@/lib/issues";

/** The text an admin edits: the trigger's current params as pretty JSON. */
export function paramsDraft(params: unknown): string {
  return JSON.stringify(params ?? {}, null, 2);
}

export type ParsedParams = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** Parses the editor's text; params must be a JSON object. */
export function parseParamsDraft(text: string): ParsedParams {
  if (!text.trim()) return { ok: false, message: "Params must be a JSON object, e.g. {}" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `Not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: `Params must be a JSON object, not ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Issues of a failed `triggers.setParams`, with paths relative to the params object. The
 * trigger's schema (checked by the engine, which sets `index`) reports paths inside params;
 * the procedure's own input schema reports them under `params`.
 */
export function paramsIssues(error: unknown): InputIssue[] {
  return inputIssues(error).map((i) => (i.index === undefined && i.path[0] === "params" ? { ...i, path: i.path.slice(1) } : i));
}

export interface ParamChange {
  key: string;
  from: unknown;
  to: unknown;
}

/** Top-level keys whose value differs (added, removed or changed), sorted by key. */
export function diffParams(before: unknown, after: Record<string, unknown>): ParamChange[] {
  const prev = typeof before === "object" && before !== null && !Array.isArray(before) ? (before as Record<string, unknown>) : {};
  const keys = [...new Set([...Object.keys(prev), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => (JSON.stringify(prev[key]) === JSON.stringify(after[key]) ? [] : [{ key, from: prev[key], to: after[key] }]));
}
