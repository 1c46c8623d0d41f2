/**
 * One statistic over partitions, shaped for recharts: the value line, the history band as a
 * [low, high] range area, and the flagged partitions as their own series (drawn as marks).
 */
import type { SeriesPoint } from "@motion/engine/drift";

/** What `drift.series` answers (the engine's chart preparer output). */
export type SeriesPointInput = SeriesPoint;

export interface SeriesRow {
  partition: string;
  value: number | null;
  mean: number | null;
  /** Recharts draws an Area between the two numbers of a [low, high] pair. */
  band: [number, number] | null;
  /** The value where the partition was flagged for this column, else null (no mark). */
  flagged: number | null;
  z: number | null;
}

const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

/** `floor`: a statistic that cannot go below it (a count, a length, a share) has its band cut there. */
export function seriesRows(points: readonly SeriesPointInput[], floor = -Infinity): SeriesRow[] {
  return points.map((p) => ({
    partition: p.partition,
    value: finite(p.value) ? p.value : null,
    mean: finite(p.mean) ? p.mean : null,
    band: finite(p.low) && finite(p.high) ? [Math.max(floor, Math.min(p.low, p.high)), Math.max(floor, p.low, p.high)] : null,
    flagged: p.flagged && finite(p.value) ? p.value : null,
    z: finite(p.z) ? p.z : null,
  }));
}

export function yDomain(rows: readonly SeriesRow[], share = false, floor = -Infinity): [number, number] | null {
  return yAxis(rows, share, floor)?.domain ?? null;
}

/**
 * The y-axis range and its round ticks: values and band with 5% padding, widened to a 1-2-5
 * step (recharts' own ticks on a padded range land on odd numbers). A share (0…1) whose values
 * stay inside those bounds is drawn on exactly 0–100% (the band is clipped there: a share
 * cannot leave it), so 98% and 100% are not drawn as far apart. `floor`: see seriesRows.
 */
export function yAxis(rows: readonly SeriesRow[], share = false, floor = -Infinity): { domain: [number, number]; ticks: number[] } | null {
  if (share && rows.some((r) => r.value !== null) && rows.every((r) => r.value === null || (r.value >= 0 && r.value <= 1))) return { domain: [0, 1], ticks: [0, 0.25, 0.5, 0.75, 1] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    for (const v of [r.value, r.band?.[0] ?? null, r.band?.[1] ?? null]) {
      if (v === null) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return null;
  let pad: number;
  if (lo === hi) pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  else pad = (hi - lo) * 0.05;
  // Padding never takes the axis below what the statistic can be (no "-20" under a count).
  return niceAxis(Math.max(Math.min(floor, lo), lo - pad), hi + pad);
}

/** Widens [lo, hi] to multiples of a 1-2-5 step (about four intervals), so the ticks read as round numbers. */
export function niceDomain(lo: number, hi: number): [number, number] {
  return niceAxis(lo, hi).domain;
}

function niceAxis(lo: number, hi: number): { domain: [number, number]; ticks: number[] } {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return { domain: [lo, hi], ticks: [lo, hi] };
  const raw = span / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((x) => x >= raw)!;
  // Rounding away float dust (0.30000000000000004) keeps the labels short.
  const round = (x: number) => Number(x.toPrecision(12));
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(round(i * step));
  return { domain: [round(first * step), round(last * step)], ticks };
}

/** Compact tick labels: 12.3k, 4.5M, 0.012, 1.2e-5. */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return "";
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return Number(v.toFixed(2)).toString();
  if (a >= 1e-3) return Number(v.toFixed(3)).toString();
  return v.toExponential(1);
}

/** How many of the points were flagged: shown next to the chart title. */
export function flaggedCount(rows: readonly SeriesRow[]): number {
  return rows.reduce((n, r) => n + (r.flagged !== null ? 1 : 0), 0);
}
