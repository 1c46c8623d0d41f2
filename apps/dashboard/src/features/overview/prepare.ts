/**
 * Pure preparers turning `stats.overview` series into recharts rows. Kept free of React and
 * of the API types' exact nesting so they can be unit-tested with plain objects.
 */

export interface MinutePoint {
  minute: Date | string | number;
  inferences?: number | null;
  latencyP50?: number | null;
  latencyP99?: number | null;
}

export interface FitPoint {
  at: Date | string | number;
  durationMs: number | null;
  status?: string;
}

export interface TriggerSeries {
  trigger: string;
  minutes: MinutePoint[];
  fits?: FitPoint[];
}

export interface ChartRow {
  t: number;
  [key: string]: number | null;
}

const MINUTE = 60_000;
const toMs = (d: Date | string | number) => new Date(d).getTime();

/**
 * One row per minute over [from, to] (inclusive, floored to the minute), with a column per
 * trigger; minutes without inferences are 0 so the area chart has no gaps.
 */
export function inferencesPerMinute(series: TriggerSeries[], from: number, to: number, bucketMs: number = MINUTE): ChartRow[] {
  const start = Math.floor(from / bucketMs) * bucketMs;
  const end = Math.floor(to / bucketMs) * bucketMs;
  const rows = new Map<number, ChartRow>();
  for (let t = start; t <= end; t += bucketMs) {
    const row: ChartRow = { t };
    for (const s of series) row[s.trigger] = 0;
    rows.set(t, row);
  }
  for (const s of series) {
    for (const p of s.minutes) {
      const t = Math.floor(toMs(p.minute) / bucketMs) * bucketMs;
      const row = rows.get(t);
      if (row) row[s.trigger] = (row[s.trigger] ?? 0) + (p.inferences ?? 0);
    }
  }
  return [...rows.values()];
}

/** p50 / p99 columns per trigger (`<trigger>:p50`, `<trigger>:p99`); minutes with no inference are left out. */
export function latencyRows(series: TriggerSeries[], bucketMs: number = MINUTE): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const s of series) {
    for (const p of s.minutes) {
      if (!p.inferences && p.latencyP50 == null) continue;
      const t = Math.floor(toMs(p.minute) / bucketMs) * bucketMs;
      const row = rows.get(t) ?? { t };
      row[`${s.trigger}:p50`] = p.latencyP50 ?? null;
      row[`${s.trigger}:p99`] = p.latencyP99 ?? null;
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** One point per fit run: time and duration, per trigger column (scatter-friendly). */
export function fitDurationRows(series: TriggerSeries[]): ChartRow[] {
  const rows: ChartRow[] = [];
  for (const s of series) {
    for (const f of s.fits ?? []) {
      if (f.durationMs == null) continue;
      rows.push({ t: toMs(f.at), [s.trigger]: f.durationMs });
    }
  }
  return rows.sort((a, b) => a.t - b.t);
}

/** Totals for the KPI strip. */
export function totals(series: TriggerSeries[]): { inferences: number; worstP99: number | null } {
  let inferences = 0;
  let worstP99: number | null = null;
  for (const s of series) {
    for (const p of s.minutes) {
      inferences += p.inferences ?? 0;
      if (p.latencyP99 != null) worstP99 = Math.max(worstP99 ?? 0, p.latencyP99);
    }
  }
  return { inferences, worstP99 };
}

/** Human tick for a minute timestamp: HH:MM, or "Mon 14:05" when the range spans days. */
export function minuteTick(t: number, spanMs: number): string {
  const d = new Date(t);
  const hm = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  return spanMs > 24 * 3600_000 ? `${d.toLocaleDateString("en-GB", { weekday: "short" })} ${hm}` : hm;
}

const TICK_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1_440];

/**
 * The one set of time ticks every overview chart uses, so the three charts line up: round
 * local times (every 10 min, every 3 h, …), at most `max` of them, inside [from, to].
 */
export function timeTicks(from: number, to: number, max = 6): number[] {
  if (!(to > from)) return [];
  const span = (to - from) / MINUTE;
  const step = (TICK_STEPS_MIN.find((s) => span / s <= max) ?? TICK_STEPS_MIN.at(-1)!) * MINUTE;
  // Round in local time: offsets are whole minutes, so align on the local clock.
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((from - offset) / step) * step + offset;
  const ticks: number[] = [];
  for (let t = first; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** "minute", "5 min", "15 min", "hour": what one point of a chart covers. */
export function bucketLabel(bucketMinutes: number): string {
  if (bucketMinutes <= 1) return "minute";
  if (bucketMinutes === 60) return "hour";
  return `${bucketMinutes} min`;
}
