// GATE's six corruption kinds, applied to a share of one column's rows. Each kind only touches
// rows where it changes the value (a zero made "negative" is still zero), so the stated share
// of rows really is corrupted.
import { type Dataset, type Row } from "./datasets.ts";

export const CORRUPTIONS = ["nulls", "negative", "float", "units", "average", "constant"] as const;
export type CorruptionKind = (typeof CORRUPTIONS)[number];

/** mulberry32: a small seeded generator, so every trial can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** Columns a kind can corrupt in this data set. */
export function eligibleColumns(dataset: Dataset, kind: CorruptionKind): string[] {
  switch (kind) {
    case "nulls":
    case "constant":
      return [...dataset.numeric, ...dataset.categorical];
    case "negative":
    case "float":
    case "units":
      return dataset.numeric;
    case "average":
      return dataset.numeric.length >= 2 ? dataset.numeric : [];
  }
}

export interface Corruption {
  kind: CorruptionKind;
  column: string;
  /** Rows changed. */
  rows: number;
  /** Rows the share asked for: fewer were changed when fewer rows had a value the kind changes (units of a column of zeros). */
  target: number;
  detail: string;
}

/**
 * Returns a corrupted copy of `rows`: `share` of the rows (at least one) whose `column` the kind
 * would change. `pool` (the whole data set's values of the column) supplies pinned constants.
 */
export function corrupt(rows: Row[], dataset: Dataset, kind: CorruptionKind, column: string, share: number, random: () => number, pool: (string | number)[]): { rows: Row[]; corruption: Corruption } {
  let detail = "";
  let change: (row: Row) => string | number | null | undefined;
  const others = dataset.numeric.filter((c) => c !== column);
  switch (kind) {
    case "nulls":
      change = (row) => (row[column] === null ? undefined : null);
      break;
    case "negative":
      change = (row) => (typeof row[column] === "number" && row[column] > 0 ? -row[column] : undefined);
      break;
    case "float":
      // An integer column starts carrying fractions (e.g. an average computed upstream).
      change = (row) => (typeof row[column] === "number" && Number.isInteger(row[column]) ? row[column] + 0.05 + 0.9 * random() : undefined);
      break;
    case "units": {
      const factor = pick(random, [100, 1000, 0.01, 0.001]);
      detail = `×${factor}`;
      change = (row) => (typeof row[column] === "number" && row[column] !== 0 ? row[column] * factor : undefined);
      break;
    }
    case "average":
      change = (row) => {
        const values = others.map((c) => row[c]).filter((v): v is number => typeof v === "number");
        if (values.length === 0) return undefined;
        const avg = values.reduce((a, b) => a + b, 0) / values.length;
        return avg === row[column] ? undefined : avg;
      };
      break;
    case "constant": {
      // A default that a bug writes: one of the column's real values, not its most common one.
      const counts = new Map<string | number, number>();
      for (const v of pool) counts.set(v, (counts.get(v) ?? 0) + 1);
      const mode = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
      const candidates = [...counts.keys()].filter((v) => v !== mode);
      const constant = candidates.length ? pick(random, candidates) : mode!;
      detail = `= ${JSON.stringify(constant)}`;
      change = (row) => (row[column] === constant ? undefined : constant);
      break;
    }
  }
  const candidates: number[] = [];
  const proposals: (string | number | null)[] = [];
  for (let i = 0; i < rows.length; i++) {
    const next = change(rows[i]!);
    if (next !== undefined) {
      candidates.push(i);
      proposals.push(next);
    }
  }
  const target = Math.max(1, Math.round(share * rows.length));
  // Partial Fisher–Yates: a uniform sample of the candidate rows.
  const order = candidates.map((_, i) => i);
  const chosen = Math.min(target, order.length);
  for (let i = 0; i < chosen; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out = rows.slice();
  for (let i = 0; i < chosen; i++) {
    const index = candidates[order[i]!]!;
    out[index] = { ...rows[index]!, [column]: proposals[order[i]!]! };
  }
  return { rows: out, corruption: { kind, column, rows: chosen, target, detail } };
}
