// Backlog growth of a trigger's fit routes over a window, in buckets (the console's backlog
// chart): per bucket the backlog at its end (the bucket's last sample), the rows added and the
// rows fitted or shed within it, from the backlog sampler's rows (backlog-sampler.ts).
// Cost: one BacklogSample primary-key range per route, at most windowMinutes + 1 rows each
// (window ≤ 7 days: ≤ 10,081 rows per route), whatever the size of Row or PendingRow; plus
// the route's current PendingRow count (bounded by its backlog, as the sampler's).
import { selectAll, storage, toDate, type Query } from "@motion/db";
import { countBacklog } from "../backlog-sampler.ts";

export const BACKLOG_MAX_WINDOW_MINUTES = 7 * 24 * 60;
export const BACKLOG_MAX_BUCKETS = 500;

export interface BacklogBucket {
  /** Start of the bucket. */
  at: Date;
  /** Rows waiting or held at the bucket's last sample; null when no sample fell in it. */
  pending: number | null;
  /** Rows claimed by a run at the bucket's last sample (null as pending). */
  claimed: number | null;
  /**
   * Rows that entered the backlog within the bucket: the change of the whole backlog (waiting,
   * held, claimed) plus what left it (fitted, shed). Deleting pending rows by hand reads as
   * fewer added; never below 0.
   */
  added: number;
  fitted: number;
  shed: number;
}

export interface BacklogRouteSeries {
  route: string;
  relation: string;
  /** The route's backpressure bound, null without one. */
  maxPending: number | null;
  onFull: "wait" | "reject" | "shed" | null;
  scheduled: boolean;
  /** Now, counted live: the chart's last point may be up to a sample interval old. */
  current: { waiting: number; held: number; claimed: number };
  buckets: BacklogBucket[];
}

export interface BacklogSeries {
  trigger: string;
  from: Date;
  to: Date;
  bucketMinutes: number;
  routes: BacklogRouteSeries[];
}

export interface BacklogRouteInfo {
  route: string;
  relation: string;
  maxPending: number | null;
  onFull: "wait" | "reject" | "shed" | null;
  scheduled: boolean;
}

export interface BacklogWindow {
  /** End of the window (exclusive). */
  to: Date;
  windowMinutes: number;
  bucketMinutes: number;
}

export function* readBacklogSeries(trigger: string, routes: readonly BacklogRouteInfo[], window: BacklogWindow): Query<BacklogSeries> {
  const bucketMs = window.bucketMinutes * 60_000;
  // Buckets align to multiples of their width (UTC), the last one holds `to`.
  const lastStart = Math.floor((window.to.getTime() - 1) / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((window.windowMinutes * 60_000) / bucketMs));
  const firstStart = lastStart - (count - 1) * bucketMs;
  const from = new Date(firstStart);
  const out: BacklogRouteSeries[] = [];
  for (const r of routes) {
    // The sample before the window too: the first bucket's "added" needs the backlog it started with.
    const samples = storage.selectFrom("BacklogSample").select(["at", "waiting", "held", "claimed", "fitted", "shed"]).where("trigger", "=", trigger).where("route", "=", r.route);
    const before = yield* selectAll(samples.where("at", "<", from).orderBy("at", "desc").limit(1));
    const inWindow = yield* selectAll(samples.where("at", ">=", from).where("at", "<", window.to).orderBy("at"));
    const buckets: BacklogBucket[] = Array.from({ length: count }, (_, i) => ({ at: new Date(firstStart + i * bucketMs), pending: null, claimed: null, added: 0, fitted: 0, shed: 0 }));
    let prevTotal: number | null = before[0] ? Number(before[0].waiting) + Number(before[0].held) + Number(before[0].claimed) : null;
    for (const s of inWindow) {
      const b = buckets[Math.floor((toDate(s.at).getTime() - firstStart) / bucketMs)];
      if (!b) continue;
      const waiting = Number(s.waiting), held = Number(s.held), claimed = Number(s.claimed), fitted = Number(s.fitted), shed = Number(s.shed);
      const total = waiting + held + claimed;
      // Without an earlier sample nothing is known of what came before: count nothing as added.
      if (prevTotal !== null) b.added += Math.max(0, total - prevTotal + fitted + shed);
      b.fitted += fitted;
      b.shed += shed;
      b.pending = waiting + held;
      b.claimed = claimed;
      prevTotal = total;
    }
    const current = yield* countBacklog(trigger, r.route);
    out.push({ ...r, current, buckets });
  }
  return { trigger, from, to: window.to, bucketMinutes: window.bucketMinutes, routes: out };
}
