// Pure data preparers for the console's drift charts.
import { type PartitionVerdict } from "./detector.ts";

export interface HeatmapCell {
  column: string;
  partition: string;
  /** Largest |z| over the column's statistics, or null where not compared. */
  z: number | null;
  statistic: string | null;
}

export interface Heatmap {
  columns: string[];
  partitions: string[];
  /** Row-major: cells[c * partitions.length + p]. */
  cells: HeatmapCell[];
  /** Largest |z| shown, for the colour scale. */
  max: number;
}

/** |z| of every column in every partition (columns × partitions), from the verdicts' findings. */
export function heatmapData(verdicts: PartitionVerdict[]): Heatmap {
  const partitions = verdicts.map((v) => v.partition);
  const columnSet = new Set<string>();
  for (const v of verdicts) for (const f of v.findings) columnSet.add(f.column);
  const columns = [...columnSet].sort();
  const index = new Map(columns.map((c, i) => [c, i]));
  const cells: HeatmapCell[] = [];
  for (const column of columns) for (const partition of partitions) cells.push({ column, partition, z: null, statistic: null });
  let max = 0;
  verdicts.forEach((v, p) => {
    for (const f of v.findings) {
      const cell = cells[index.get(f.column)! * partitions.length + p]!;
      const a = Math.abs(f.z);
      if (cell.z === null || a > cell.z) {
        cell.z = a;
        cell.statistic = f.statistic;
      }
      if (a > max) max = a;
    }
  });
  return { columns, partitions, cells, max };
}

export interface SeriesPoint {
  partition: string;
  /** The statistic's value, null where the partition lacks it. */
  value: number | null;
  /** History centre and band centre ± threshold·std, null without a comparison. */
  mean: number | null;
  low: number | null;
  high: number | null;
  z: number | null;
  flagged: boolean;
}

/**
 * One statistic of one column over partitions, with the history band (mean ± threshold·std,
 * as the detector saw it when judging each partition) and drifted partitions marked.
 */
export function seriesData(verdicts: PartitionVerdict[], column: string, statistic: string, values?: Map<string, number>): SeriesPoint[] {
  return verdicts.map((v) => {
    const f = v.findings.find((x) => x.column === column && x.statistic === statistic);
    const value = f?.value ?? values?.get(v.partition) ?? null;
    if (!f) return { partition: v.partition, value, mean: null, low: null, high: null, z: null, flagged: v.status === "drift" };
    const half = v.threshold * f.std;
    return { partition: v.partition, value, mean: f.mean, low: f.mean - half, high: f.mean + half, z: f.z, flagged: v.status === "drift" && v.columns.some((c) => c.column === column) };
  });
}
