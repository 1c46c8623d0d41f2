/**
 * Pure preparer turning `fits.backlog` (one trigger's backlog series) into recharts rows: one row
 * per bucket with the backlog of each route at the bucket's end (null where no sample fell, a
 * gap rather than a made-up zero) and the rows added, fitted and shed in it over all routes;
 * plus per route the current backlog and its backpressure bound for the chart's header and
 * reference lines. Free of React and of the API types so it is unit-tested with plain objects.
 */

export interface BacklogBucketInput {
  at: Date | string | number;
  pending: number | null;
  added: number;
  fitted: number;
  shed: number;
}

export interface BacklogRouteInput {
  route: string;
  maxPending: number | null;
  onFull?: string | null;
  current: { waiting: number; held: number; claimed: number };
  buckets: BacklogBucketInput[];
}

export interface BacklogRow {
  t: number;
  added: number;
  /** Negative: drawn below the axis as rows leaving the backlog. */
  fitted: number;
  shed: number;
  [pendingKey: string]: number | null;
}

export interface BacklogRouteSummary {
  route: string;
  /** The rows column holding this route's backlog. */
  key: string;
  /** Waiting + held now (claimed rows are being fitted). */
  current: number;
  claimed: number;
  bound: number | null;
  onFull: string | null;
  /** Highest backlog of the window's samples (null without samples). */
  peak: number | null;
  /** Current backlog at or above the bound. */
  full: boolean;
}

export interface PreparedBacklog {
  rows: BacklogRow[];
  routes: BacklogRouteSummary[];
  totals: { added: number; fitted: number; shed: number };
  /** At least one bucket of one route has a sample. */
  hasSamples: boolean;
  /**
   * Backpressure bounds to draw as lines, one per distinct value (routes sharing it listed):
   * only those within twice the highest backlog, so a far-away default bound does not flatten
   * the chart (the header names every route's bound anyway).
   */
  bounds: { value: number; routes: string[] }[];
  /** The y axis top: the highest backlog, or a drawn bound above it. */
  yMax: number;
}

export const pendingKey = (route: string) => `pending:${route}`;

export function prepareBacklog(routes: readonly BacklogRouteInput[]): PreparedBacklog {
  const rows = new Map<number, BacklogRow>();
  const totals = { added: 0, fitted: 0, shed: 0 };
  const summaries: BacklogRouteSummary[] = [];
  let yMax = 0;
  let hasSamples = false;
  for (const r of routes) {
    const key = pendingKey(r.route);
    let peak: number | null = null;
    for (const b of r.buckets) {
      const t = new Date(b.at).getTime();
      let row = rows.get(t);
      if (!row) {
        row = { t, added: 0, fitted: 0, shed: 0 };
        rows.set(t, row);
      }
      row[key] = b.pending;
      row.added += b.added;
      row.fitted -= b.fitted;
      row.shed -= b.shed;
      totals.added += b.added;
      totals.fitted += b.fitted;
      totals.shed += b.shed;
      if (b.pending !== null) {
        hasSamples = true;
        peak = Math.max(peak ?? 0, b.pending);
      }
    }
    const current = r.current.waiting + r.current.held;
    yMax = Math.max(yMax, peak ?? 0, current);
    summaries.push({ route: r.route, key, current, claimed: r.current.claimed, bound: r.maxPending, onFull: r.onFull ?? null, peak, full: r.maxPending !== null && current >= r.maxPending });
  }
  // Routes without a sample in a bucket still get their column (null), so lines break there.
  const out = [...rows.values()].sort((a, b) => a.t - b.t);
  for (const row of out) for (const s of summaries) if (!(s.key in row)) row[s.key] = null;
  const bounds = new Map<number, string[]>();
  for (const s of summaries) if (s.bound !== null && s.bound <= 2 * yMax) bounds.set(s.bound, [...(bounds.get(s.bound) ?? []), s.route]);
  const drawn = [...bounds.entries()].sort((a, b) => a[0] - b[0]).map(([value, names]) => ({ value, routes: names }));
  for (const b of drawn) yMax = Math.max(yMax, b.value);
  return { rows: out, routes: summaries, totals, hasSamples, bounds: drawn, yMax };
}
