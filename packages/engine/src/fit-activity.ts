import { all, toDateOrNull, type Database, type Query } from "@motion/db";
import type { App } from "./app.ts";

/** What one trigger's fits are doing now, from the database (so: across every process). */
export interface TriggerFitActivity {
  trigger: string;
  /** Rows waiting to be claimed by a fit (rows held back by drift are counted in `held`). */
  pending: number;
  /** Rows held back by drift until their partition is judged or released. */
  held: number;
  /** Rows of scheduled routes waiting for their next tick (not work to wait for: idle may be true). */
  scheduled: number;
  /** Rows taken by a run that is running or waiting for its retry. */
  claimed: number;
  /** Runs executing now. */
  running: number;
  /** Runs waiting for their retry backoff. */
  retrying: number;
  /** Runs that failed every attempt; they wait for an operator's retry. */
  deadLettered: number;
  /** `active` is pinned: fits are held until unpin. */
  pinned: boolean;
  nextRetryAt: Date | null;
  /** Nothing runs and nothing will run without an operator. */
  idle: boolean;
}

export interface FitActivity {
  idle: boolean;
  triggers: TriggerFitActivity[];
}

/**
 * One statement, so the counts are one consistent snapshot: separate reads could see a
 * batch neither as pending (already claimed) nor as running (claimed after the read).
 * The FitRun branch comes first so PostgreSQL types the UNION's columns from real columns.
 */
const ACTIVITY_SQL = `
SELECT "trigger", "status" AS "kind", COUNT(*) AS "n", MIN("runAfter") AS "at", CAST(NULL AS TEXT) AS "route" FROM "FitRun" WHERE "status" IN ('queued', 'running', 'failed') GROUP BY "trigger", "status"
UNION ALL
SELECT "trigger", CASE WHEN "held" = ? THEN 'held' ELSE 'pending' END, COUNT(*), NULL, "route" FROM "PendingRow" WHERE "fitRunId" IS NULL GROUP BY "trigger", "route", "held"
UNION ALL
SELECT p."trigger", 'claimed', COUNT(*), NULL, NULL FROM "PendingRow" p JOIN "FitRun" r ON r."id" = p."fitRunId" WHERE r."status" IN ('queued', 'running') GROUP BY p."trigger"
UNION ALL
SELECT "trigger", 'pinned', COUNT(*), NULL, NULL FROM "StateAlias" WHERE "name" = 'active' AND "pinned" = ? GROUP BY "trigger"`;

/**
 * `scheduled`: the `trigger\u0000route` keys of scheduled routes, whose unheld pending rows
 * wait for a tick (counted apart, in `scheduled`).
 */
export function* readFitActivity(triggers: readonly string[], scheduled: ReadonlySet<string> = new Set()): Query<FitActivity> {
  const rows = yield* all<{ trigger: string; kind: string; n: unknown; at: unknown; route: string | null }>(ACTIVITY_SQL, [true, true]);
  const out = triggers.map((trigger): TriggerFitActivity => ({
    trigger, pending: 0, held: 0, scheduled: 0, claimed: 0, running: 0, retrying: 0, deadLettered: 0, pinned: false, nextRetryAt: null, idle: true,
  }));
  const byName = new Map(out.map((t) => [t.trigger, t]));
  for (const r of rows) {
    const t = byName.get(r.trigger);
    if (!t) continue; // a trigger the app no longer declares
    const n = Number(r.n);
    if (r.kind === "queued") {
      t.retrying = n;
      t.nextRetryAt = toDateOrNull(r.at);
    } else if (r.kind === "running") t.running = n;
    else if (r.kind === "failed") t.deadLettered = n;
    else if (r.kind === "pending" && scheduled.has(`${r.trigger}\u0000${r.route}`)) t.scheduled += n;
    else if (r.kind === "pending") t.pending += n;
    else if (r.kind === "held") t.held += n;
    else if (r.kind === "claimed") t.claimed = n;
    else if (r.kind === "pinned") t.pinned = n > 0;
  }
  for (const t of out) t.idle = t.running === 0 && (t.pinned || (t.pending === 0 && t.retrying === 0));
  return { idle: out.every((t) => t.idle), triggers: out };
}

/** Fit activity of the app's triggers that have fit routes. */
export function fitActivity(db: Database, app: App): Promise<FitActivity> {
  const triggers = app.triggers.filter((t) => t.routes.some((r) => r.fit)).map((t) => t.name);
  const scheduled = scheduledRouteKeys(app);
  return db.read(() => readFitActivity(triggers, scheduled));
}

/** `trigger\u0000route` of every scheduled route of the app (for readFitActivity). */
export function scheduledRouteKeys(app: App): Set<string> {
  return new Set(app.triggers.flatMap((t) => t.routes.filter((r) => r.schedule).map((r) => `${t.name}\u0000${r.name}`)));
}
