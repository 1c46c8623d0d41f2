/** The partition detail's findings table and the statistics charted per column. */
import type { ColumnFinding } from "@motion/engine/drift";

/** One (column, statistic) of a verdict, as the engine reports it. */
export type FindingInput = ColumnFinding;

export interface FindingRow extends FindingInput {
  /** Whether the column is among the verdict's responsible columns with this statistic. */
  responsible: boolean;
}

/**
 * Strongest first (|z| descending; ties by column then statistic), at most `limit` rows, with
 * the responsible ones marked. Every responsible finding is kept even past the limit.
 */
export function findingRows(findings: readonly FindingInput[], responsible: readonly { column: string; statistic: string }[], limit = 50): FindingRow[] {
  const key = (f: { column: string; statistic: string }) => `${f.column}\u0000${f.statistic}`;
  const named = new Set(responsible.map(key));
  const sorted = [...findings].sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.column.localeCompare(b.column) || a.statistic.localeCompare(b.statistic));
  const rows: FindingRow[] = [];
  for (const f of sorted) {
    const isNamed = named.has(key(f));
    if (rows.length < limit || isNamed) rows.push({ ...f, responsible: isNamed });
  }
  return rows;
}

const SHARES = new Set(["coverage", "typeShare", "topShare", "negativeShare", "integerShare", "trueShare", "valueShare"]);

export function isShare(statistic: string): boolean {
  return SHARES.has(statistic);
}

const NON_NEGATIVE = new Set([...SHARES, "std", "distinct", "lengthMean", "lengthP95", "meanNorm"]);

/** The lowest value a statistic can take: 0 for shares, counts, lengths and spreads (a band below it means nothing). */
export function floorOf(statistic: string): number {
  return NON_NEGATIVE.has(statistic) ? 0 : -Infinity;
}

/** A statistic's value for a table cell: shares as percentages, others compact. */
export function formatStat(statistic: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (SHARES.has(statistic)) return `${(value * 100).toFixed(value === 0 || value === 1 ? 0 : 1)}%`;
  const a = Math.abs(value);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return value.toExponential(2);
  return Number(value.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3)).toString();
}

interface SummaryInput {
  columns: Record<string, { kind: string; stats: Partial<Record<string, number>> }>;
}

/**
 * The statistics to chart for a column: those its summary holds (the engine writes them in a
 * fixed order: coverage first, then the kind's), plus any a finding names that it lacks.
 */
export function statisticsOf(summary: SummaryInput | null | undefined, column: string, findings: readonly { column: string; statistic: string }[] = []): string[] {
  const out: string[] = [];
  const stats = summary?.columns[column]?.stats;
  if (stats) for (const [name, v] of Object.entries(stats)) if (v !== undefined) out.push(name);
  for (const f of findings) if (f.column === column && !out.includes(f.statistic)) out.push(f.statistic);
  return out;
}
