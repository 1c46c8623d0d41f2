/**
 * The |z| heatmap's shaping: the engine's row-major `heatmapData` cells regrouped into one row
 * per column, a colour per cell and the words shown on hover. Pure, so it is unit-tested.
 */

export interface HeatmapCellInput {
  column: string;
  partition: string;
  z: number | null;
  statistic: string | null;
}

export interface HeatmapInput {
  columns: string[];
  partitions: string[];
  /** Row-major: cells[c * partitions.length + p]. */
  cells: HeatmapCellInput[];
  max: number;
}

export interface HeatmapCellView {
  partition: string;
  z: number | null;
  statistic: string | null;
  color: string;
  title: string;
  /** At or over the threshold: drawn with a ring so it reads without colour too. */
  over: boolean;
}

export interface HeatmapRowView {
  column: string;
  /** Largest |z| of the column over the shown partitions (null when never compared). */
  peak: number | null;
  cells: HeatmapCellView[];
}

const EMPTY = "var(--muted)";

/**
 * Colour of a |z|: green-grey under half the threshold, through amber to red at the threshold,
 * and deeper red beyond it on a log scale up to `max` — so one huge z does not wash out the rest.
 */
export function heatColor(z: number | null, threshold: number, max: number): string {
  if (z === null || !Number.isFinite(z)) return EMPTY;
  const t = threshold > 0 ? threshold : 1;
  if (z < t) {
    const s = Math.max(0, z) / t; // 0 … 1
    const hue = 150 - 125 * s; // 150 (green) → 25 (red)
    const chroma = 0.03 + 0.15 * s;
    const light = 0.93 - 0.23 * s;
    return `oklch(${light.toFixed(3)} ${chroma.toFixed(3)} ${hue.toFixed(1)})`;
  }
  const top = Math.max(max, t * 1.0001);
  const s = Math.min(1, Math.log(z / t) / Math.log(top / t)); // 0 at the threshold, 1 at max
  const light = 0.6 - 0.22 * s;
  return `oklch(${light.toFixed(3)} ${(0.2 + 0.02 * s).toFixed(3)} 25.0)`;
}

export function formatZ(z: number | null): string {
  if (z === null || !Number.isFinite(z)) return "—";
  const a = Math.abs(z);
  return a >= 100 ? z.toFixed(0) : z.toFixed(1);
}

export function cellTitle(cell: HeatmapCellInput): string {
  if (cell.z === null) return `${cell.column} · ${cell.partition}: not compared`;
  return `${cell.column} · ${cell.partition}: |z| = ${formatZ(cell.z)}${cell.statistic ? ` (${cell.statistic})` : ""}`;
}

/** One row per column (the engine's order), one cell per partition, with colours and titles. */
export function heatmapRows(heatmap: HeatmapInput, threshold: number): HeatmapRowView[] {
  const n = heatmap.partitions.length;
  return heatmap.columns.map((column, c) => {
    let peak: number | null = null;
    const cells = heatmap.partitions.map((partition, p) => {
      const cell = heatmap.cells[c * n + p] ?? { column, partition, z: null, statistic: null };
      if (cell.z !== null && (peak === null || cell.z > peak)) peak = cell.z;
      return {
        partition,
        z: cell.z,
        statistic: cell.statistic,
        color: heatColor(cell.z, threshold, heatmap.max),
        title: cellTitle({ ...cell, column, partition }),
        over: cell.z !== null && cell.z >= threshold,
      };
    });
    return { column, peak, cells };
  });
}

/**
 * The column to chart first: the strongest responsible column of the newest flagged partition,
 * else the column with the largest |z| anywhere, else the first column.
 */
export function defaultColumn(heatmap: HeatmapInput, flagged: readonly { partition: string; columns: readonly { column: string }[] }[]): string | null {
  for (let i = flagged.length - 1; i >= 0; i--) {
    const top = flagged[i]!.columns[0]?.column;
    if (top && heatmap.columns.includes(top)) return top;
  }
  let best: string | null = null;
  let bestZ = -1;
  for (const cell of heatmap.cells) {
    if (cell.z !== null && cell.z > bestZ) {
      bestZ = cell.z;
      best = cell.column;
    }
  }
  return best ?? heatmap.columns[0] ?? null;
}

/** Partition labels for the heatmap's axis: every k-th, so at most `slots` fit. */
export function axisLabels(partitions: readonly string[], slots: number): (string | null)[] {
  if (partitions.length === 0) return [];
  const step = Math.max(1, Math.ceil(partitions.length / Math.max(1, slots)));
  return partitions.map((p, i) => (i % step === 0 || i === partitions.length - 1 ? p : null));
}
