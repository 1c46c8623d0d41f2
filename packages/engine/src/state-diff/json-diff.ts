import { stableStringify } from "../hash.ts";

/** One difference between two JSON values, at a path of object keys and array indexes. */
export interface JsonChange {
  op: "add" | "remove" | "change";
  path: (string | number)[];
  /** The value before (remove, change), as compact JSON cut to `previewChars`. */
  from?: string;
  /** The value after (add, change), likewise. */
  to?: string;
}

export interface JsonDiff {
  changes: JsonChange[];
  /** More changes existed than `maxChanges`; the list is the first ones in document order. */
  truncated: boolean;
}

export interface JsonDiffOptions {
  maxChanges?: number;
  previewChars?: number;
  /** Arrays up to this many elements (each side) are aligned by content (LCS); longer ones by index. */
  alignLimit?: number;
}

type Json = unknown;

/** Compact JSON of a value, cut to `max` characters. */
export function previewJson(value: Json, max = 160): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A readable structural diff: object keys added, removed or changed (recursively), arrays
 * aligned by element content so an insertion shows as one `add` rather than every later index
 * "changed". Bounded: at most `maxChanges` entries, each value previewed in `previewChars`.
 * Paths of array elements use the index in the old array for removals and the new one otherwise.
 */
export function diffJson(before: Json, after: Json, options: JsonDiffOptions = {}): JsonDiff {
  const maxChanges = options.maxChanges ?? 200;
  const previewChars = options.previewChars ?? 160;
  const alignLimit = options.alignLimit ?? 400;
  const changes: JsonChange[] = [];
  let truncated = false;
  const push = (change: JsonChange) => {
    if (changes.length >= maxChanges) truncated = true;
    else changes.push(change);
  };
  const full = () => truncated || changes.length >= maxChanges;

  const walk = (a: Json, b: Json, path: (string | number)[]): void => {
    if (full()) {
      if (stableStringify(a) !== stableStringify(b)) truncated = true;
      return;
    }
    if (isObject(a) && isObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys) {
        if (!(key in b)) push({ op: "remove", path: [...path, key], from: previewJson(a[key], previewChars) });
        else if (!(key in a)) push({ op: "add", path: [...path, key], to: previewJson(b[key], previewChars) });
        else walk(a[key], b[key], [...path, key]);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      walkArray(a, b, path);
      return;
    }
    if (stableStringify(a) !== stableStringify(b)) push({ op: "change", path, from: previewJson(a, previewChars), to: previewJson(b, previewChars) });
  };

  const walkArray = (a: Json[], b: Json[], path: (string | number)[]): void => {
    if (a.length > alignLimit || b.length > alignLimit) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n && !full(); i++) {
        if (i >= b.length) push({ op: "remove", path: [...path, i], from: previewJson(a[i], previewChars) });
        else if (i >= a.length) push({ op: "add", path: [...path, i], to: previewJson(b[i], previewChars) });
        else walk(a[i], b[i], [...path, i]);
      }
      if (full() && n > 0) truncated = truncated || stableStringify(a) !== stableStringify(b);
      return;
    }
    for (const step of align(a.map(stableStringify), b.map(stableStringify))) {
      if (full()) {
        truncated = true;
        return;
      }
      if (step.kind === "same") continue;
      if (step.kind === "pair") walk(a[step.i], b[step.j], [...path, step.j]);
      else if (step.kind === "remove") push({ op: "remove", path: [...path, step.i], from: previewJson(a[step.i], previewChars) });
      else push({ op: "add", path: [...path, step.j], to: previewJson(b[step.j], previewChars) });
    }
  };

  walk(before, after, []);
  return { changes, truncated };
}

type Step = { kind: "same" | "pair"; i: number; j: number } | { kind: "remove"; i: number } | { kind: "add"; j: number };

/**
 * Longest-common-subsequence alignment of two arrays of element keys. A removal directly
 * followed by an addition becomes a `pair` (the element was edited in place), so an edited
 * object shows its inner changes instead of remove + add of the whole object.
 */
export function align(a: string[], b: string[]): Step[] {
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const raw: Step[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) raw.push({ kind: "same", i: i++, j: j++ });
    else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) raw.push({ kind: "add", j: j++ });
    else raw.push({ kind: "remove", i: i++ });
  }
  // Pair up runs of removals and additions between two equal elements.
  const out: Step[] = [];
  for (let k = 0; k < raw.length; ) {
    if (raw[k]!.kind === "same") {
      out.push(raw[k++]!);
      continue;
    }
    const removes: number[] = [];
    const adds: number[] = [];
    while (k < raw.length && raw[k]!.kind !== "same") {
      const s = raw[k++]!;
      if (s.kind === "remove") removes.push(s.i);
      else if (s.kind === "add") adds.push(s.j);
    }
    const pairs = Math.min(removes.length, adds.length);
    for (let p = 0; p < pairs; p++) out.push({ kind: "pair", i: removes[p]!, j: adds[p]! });
    for (const r of removes.slice(pairs)) out.push({ kind: "remove", i: r });
    for (const x of adds.slice(pairs)) out.push({ kind: "add", j: x });
  }
  return out;
}
