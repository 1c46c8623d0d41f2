import { prepare, sql, storage, toDateOrNull, type Database, type Query, type SelectQueryBuilder, type StorageDB } from "@motion/db";
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
const ACTIVITY = prepare((held: boolean, pinned: boolean) => {
  type Out = { trigger: string; kind: string; n: unknown; at: unknown; route: string | null };
  const none = sql<null>`NULL`;
  const runs = storage.selectFrom("FitRun")
    .select((eb) => ["trigger", sql<string>`${sql.ref("status")}`.as("kind"), eb.fn.countAll().as("n"), sql<unknown>`MIN(${sql.ref("runAfter")})`.as("at"), sql<string | null>`CAST(NULL AS TEXT)`.as("route")])
    .where("status", "in", ["queued", "running", "failed"]).groupBy(["trigger", "status"]);
  const waiting = storage.selectFrom("PendingRow")
    .select((eb) => ["trigger", sql<string>`CASE WHEN ${sql.ref("held")} = ${held} THEN 'held' ELSE 'pending' END`.as("kind"), eb.fn.countAll().as("n"), none.as("at"), "route"])
    .where("fitRunId", "is", null).groupBy(["trigger", "route", "held"]);
  const claimed = storage.selectFrom("PendingRow as p").innerJoin("FitRun as r", "r.id", "p.fitRunId")
    .select((eb) => ["p.trigger", sql.lit("claimed").as("kind"), eb.fn.countAll().as("n"), none.as("at"), none.as("route")])
    .where("r.status", "in", ["queued", "running"]).groupBy("p.trigger");
  const pins = storage.selectFrom("StateAlias")
    .select((eb) => ["trigger", sql.lit("pinned").as("kind"), eb.fn.countAll().as("n"), none.as("at"), none.as("route")])
    .where("name", "=", "active").where("pinned", "=", pinned).groupBy("trigger");
  // The branches differ only in how each column is computed; the row type is Out for all.
  return (runs as unknown as SelectQueryBuilder<StorageDB, "FitRun", Out>)
    .unionAll(waiting as unknown as SelectQueryBuilder<StorageDB, "FitRun", Out>)
    .unionAll(claimed as unknown as SelectQueryBuilder<StorageDB, "FitRun", Out>)
    .unionAll(pins as unknown as SelectQueryBuilder<StorageDB, "FitRun", Out>);
});

/**
 * `scheduled`: the `trigger\u0000route` keys of scheduled routes, whose unheld pending rows
 * wait for a tick (counted apart, in `scheduled`).
 */
export function* readFitActivity(triggers: readonly string[], scheduled: ReadonlySet<string> = new Set()): Query<FitActivity> {
  const rows = yield* ACTIVITY.all(true, true);
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
