import type { Database } from "@motion/db";
import type { App } from "./app.ts";
import { recordAudit } from "./audit-log.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { MissedPolicy } from "./schedule.ts";
import { claimDueTick, claimManualTick, readTicks, readTickSummaries, type ScheduledRun, type TickOutcome, type TickRecord, type TickRoute } from "./schedule-store.ts";
import type { Page } from "./read-model/page.ts";
import type { ResolvedRoute, Trigger } from "./trigger.ts";

/** A tick claimed later than this after its cron instant is late (`missed: "skip"` skips it). */
export const DEFAULT_SCHEDULE_GRACE_MS = 60_000;
/** Longest sleep between two looks at the schedules (other processes' claims, clock jumps). */
export const DEFAULT_SCHEDULE_POLL_MS = 30_000;

export interface ScheduleServiceOptions {
  db: Database;
  app: App;
  log: Logger;
  /** This process's id, recorded as the claimer of its ticks. */
  owner: string;
  /** The params a scheduled run is queued with (the claim records the current ones again). */
  params(trigger: string): Promise<{ params: unknown; hash: string }>;
  /** A run was queued: let the fit scheduler look at the trigger. */
  kick(trigger: string): void;
  /** Claim ticks in this process on a timer (default: processes that run fits). */
  auto: boolean;
  pollMs?: number;
  graceMs?: number;
  /** The schedule clock (tests and benchmarks inject a simulated one). */
  now?: () => Date;
}

/** One scheduled route as the API, console and CLI show it. */
export interface ScheduleInfo {
  trigger: string;
  route: string;
  relation: string;
  cron: string;
  timezone: string;
  missed: MissedPolicy;
  maxRows: number;
  /** The next cron instant after now. */
  nextRunAt: Date | null;
  lastRun: ScheduledRun | null;
  /** The latest cron instant any process claimed (run, skipped, or the baseline). */
  lastTickAt: Date | null;
  pendingRows: number;
}

/**
 * Claims the ticks of scheduled routes (route option `schedule`). Every process that runs fits
 * looks at each route when its next cron instant passes (and at least every pollMs); the
 * claim is a row insert in the database, so exactly one process queues each tick's run, and
 * the ordinary fit claim runs it. Missed ticks follow the route's `missed` policy.
 */
export class ScheduleService {
  private readonly routes: { trigger: Trigger; route: ResolvedRoute }[];
  private readonly pollMs: number;
  private readonly graceMs: number;
  readonly now: () => Date;
  /** The latest tick instant this process knows is claimed, per route: no query until a newer one is due. */
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private passing: Promise<unknown> | null = null;
  private closed = false;

  constructor(private readonly options: ScheduleServiceOptions) {
    this.routes = options.app.triggers.flatMap((trigger) => trigger.routes.filter((r) => r.schedule).map((route) => ({ trigger, route })));
    this.pollMs = options.pollMs ?? DEFAULT_SCHEDULE_POLL_MS;
    this.graceMs = options.graceMs ?? DEFAULT_SCHEDULE_GRACE_MS;
    this.now = options.now ?? (() => new Date());
    if (!Number.isFinite(this.pollMs) || this.pollMs < 1) throw new TypeError("schedules.pollMs must be a positive number of milliseconds");
    if (!Number.isFinite(this.graceMs) || this.graceMs < 0) throw new TypeError("schedules.graceMs must be a number of milliseconds ≥ 0");
  }

  /** First pass at once (the catch-up run of ticks missed while no process was up), then on a timer. */
  start(): void {
    if (!this.options.auto || this.routes.length === 0) return;
    this.schedulePass(0);
  }

  private schedulePass(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const pass = this.runDue()
        .catch((error: unknown) => this.options.log.error({ err: (error as Error)?.message }, "schedule pass failed"))
        .finally(() => {
          this.passing = null;
          this.schedulePass(this.untilNext());
        });
      this.passing = pass;
    }, delayMs);
    this.timer.unref();
  }

  /** Until the soonest next tick of any route (at most pollMs, at least 5 ms). */
  private untilNext(): number {
    const now = this.now();
    let wait = this.pollMs;
    for (const { route } of this.routes) {
      const next = route.schedule!.nextAfter(now);
      if (next) wait = Math.min(wait, next.getTime() - now.getTime());
    }
    return Math.max(5, wait);
  }

  /**
   * Claims every route's due tick now (by the schedule clock): the outcomes, one per scheduled
   * route. Called by the timer; tests and benchmarks with a simulated clock call it directly.
   */
  async runDue(): Promise<{ trigger: string; route: string; outcome: TickOutcome }[]> {
    const { db } = this.options;
    const now = this.now();
    const out: { trigger: string; route: string; outcome: TickOutcome }[] = [];
    for (const { trigger, route } of this.routes) {
      if (this.closed) break;
      const key = `${trigger.name}\u0000${route.name}`;
      const due = route.schedule!.lastAtOrBefore(now);
      const seen = this.seen.get(key);
      if (seen !== undefined && (!due || due.getTime() <= seen)) {
        out.push({ trigger: trigger.name, route: route.name, outcome: { kind: "none" } });
        continue;
      }
      const tick = await this.tickRoute(trigger, route);
      const outcome = await db.tx(() => claimDueTick({ ...tick, now, graceMs: this.graceMs, owner: this.options.owner }));
      if (outcome.kind !== "none") this.seen.set(key, outcome.tickAt.getTime());
      else if (due) this.seen.set(key, due.getTime());
      if (outcome.kind === "run") {
        this.options.log.info({ trigger: trigger.name, route: route.name, tick: outcome.tickAt.toISOString(), missed: outcome.missed, rows: outcome.rows, run: outcome.runId }, "scheduled fit queued");
        this.options.kick(trigger.name);
      } else if (outcome.kind === "skipped") {
        this.options.log.warn({ trigger: trigger.name, route: route.name, tick: outcome.tickAt.toISOString(), missed: outcome.missed }, "scheduled tick claimed late; skipped (missed: skip)");
      }
      out.push({ trigger: trigger.name, route: route.name, outcome });
    }
    return out;
  }

  private async tickRoute(trigger: Trigger, route: ResolvedRoute): Promise<TickRoute> {
    const { params, hash } = await this.options.params(trigger.name);
    return { trigger: trigger.name, route: route.name, relation: route.relation.name, schedule: route.schedule!, maxAttempts: trigger.retry.maxAttempts, params, paramsHash: hash };
  }

  private find(trigger: string, route?: string): { trigger: Trigger; route: ResolvedRoute } {
    const mine = this.routes.filter((r) => r.trigger.name === trigger);
    if (!this.options.app.trigger(trigger)) throw new NotFoundError(`unknown trigger ${trigger}`);
    if (mine.length === 0) throw new NotFoundError(`trigger ${trigger} has no scheduled route`);
    if (route === undefined) {
      if (mine.length > 1) throw new ValidationError("schedules", [{ index: -1, path: ["route"], message: `trigger ${trigger} has several scheduled routes (${mine.map((r) => r.route.name).join(", ")}): name one`, code: "invalid_type" }]);
      return mine[0]!;
    }
    const found = mine.find((r) => r.route.name === route);
    if (!found) throw new NotFoundError(`trigger ${trigger} has no scheduled route ${route}`);
    return found;
  }

  /** Every scheduled route with its next and last run, in declaration order (optionally one trigger's). */
  list(options: { trigger?: string } = {}): Promise<ScheduleInfo[]> {
    return listSchedules(this.options.db, this.options.app, { trigger: options.trigger, now: this.now() });
  }

  /**
   * A page of a route's claimed ticks (runs, skips, the baseline), newest first. The cursor is
   * the last tick's instant (ISO 8601; a route has one tick per instant): pass the page's
   * `nextCursor` as `cursor` for the next, older page.
   */
  async history(trigger: string, route: string | undefined, options: { limit?: number; cursor?: string | null } = {}): Promise<Page<TickRecord>> {
    const found = this.find(trigger, route);
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError("schedules", [{ index: -1, path: ["limit"], message: "limit must be an integer in 1..500", code: "invalid_type" }]);
    const before = options.cursor ? tickCursor(options.cursor) : undefined;
    const rows = await this.options.db.read(() => readTicks(found.trigger.name, found.route.name, limit + 1, before));
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.tickAt.toISOString() : null };
  }

  /**
   * Runs a scheduled route's fit now, outside its cron (audited): a manual tick with the rows
   * waiting so far. The next cron tick then takes the rows that arrive after it.
   */
  async runNow(trigger: string, route: string | undefined, options: { actor: string; reason?: string }): Promise<{ trigger: string; route: string; runId: string; rows: number; tickAt: Date }> {
    if (!options.actor) throw new ValidationError("schedules", [{ index: -1, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const found = this.find(trigger, route);
    const tick = await this.tickRoute(found.trigger, found.route);
    const at = new Date();
    const { db } = this.options;
    const outcome = await db.tx(function* () {
      const claimed = yield* claimManualTick({ ...tick, at, actor: options.actor });
      yield* recordAudit({ actor: options.actor, action: "schedules.runNow", target: `${tick.trigger}/${tick.route}`, reason: options.reason, data: { runId: claimed.runId, rows: claimed.rows }, at });
      return claimed;
    });
    this.options.kick(found.trigger.name);
    return { trigger: tick.trigger, route: tick.route, runId: outcome.runId, rows: outcome.rows, tickAt: outcome.tickAt };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.passing;
  }
}

/** A history cursor: the ISO 8601 instant of the previous page's last tick. */
function tickCursor(cursor: string): Date {
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(cursor) ? new Date(cursor) : null;
  if (!at || Number.isNaN(at.getTime())) {
    throw new ValidationError("schedules", [{ index: -1, path: ["cursor"], message: `cursor ${JSON.stringify(cursor)} is not a tick instant; pass the nextCursor of the previous page`, code: "custom" }]);
  }
  return at;
}

/**
 * The app's scheduled routes with their next run (after `now`) and last run, from the database
 * alone (the CLI reads it without opening Motion).
 */
export async function listSchedules(db: Database, app: App, options: { trigger?: string; now?: Date } = {}): Promise<ScheduleInfo[]> {
  if (options.trigger !== undefined && !app.trigger(options.trigger)) throw new NotFoundError(`unknown trigger ${options.trigger}`);
  const routes = app.triggers
    .filter((t) => options.trigger === undefined || t.name === options.trigger)
    .flatMap((trigger) => trigger.routes.filter((r) => r.schedule).map((route) => ({ trigger, route })));
  const summaries = await db.read(() => readTickSummaries(routes.map((r) => ({ trigger: r.trigger.name, route: r.route.name }))));
  const now = options.now ?? new Date();
  return routes.map(({ trigger, route }, i) => {
    const s = route.schedule!;
    return {
      trigger: trigger.name, route: route.name, relation: route.relation.name, cron: s.cron, timezone: s.timezone, missed: s.missed, maxRows: s.maxRows,
      nextRunAt: s.nextAfter(now), ...summaries[i]!,
    };
  });
}
