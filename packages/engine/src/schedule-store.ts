import { all, get, newId, run, toDate, toDateOrNull, toNumOrNull, type Provider, type Query } from "@motion/db";
import type { ResolvedSchedule } from "./schedule.ts";

export type TickKind = "run" | "manual" | "skipped" | "baseline";

/** What one look at a scheduled route decided. */
export type TickOutcome =
  /** Nothing new is due (or the pattern never fires). */
  | { kind: "none" }
  /** Another process (or an earlier pass) claimed this tick. */
  | { kind: "taken"; tickAt: Date }
  /** First sight of this schedule: the ticks before now count as seen, none is run. */
  | { kind: "baseline"; tickAt: Date }
  /** The tick was claimed too late under `missed: "skip"`: recorded, not run. */
  | { kind: "skipped"; tickAt: Date; missed: number }
  /** Claimed here: a queued fit run of the route with the rows since the last run. */
  | { kind: "run" | "manual"; tickAt: Date; missed: number; runId: string; rows: number };

export interface TickRoute {
  trigger: string;
  route: string;
  relation: string;
  schedule: ResolvedSchedule;
  maxAttempts: number;
  params: unknown;
  paramsHash: string;
}

export interface TickRequest extends TickRoute {
  /** The schedule clock's now: which cron instant is due. */
  now: Date;
  /** A tick claimed later than this after its instant is late (matters under `missed: "skip"`). */
  graceMs: number;
  owner: string;
}

/**
 * Claims the route's latest due cron instant, in the caller's transaction: the ScheduleTick
 * insert is the claim (its primary key is (trigger, route, tickAt), so across any number of
 * processes one insert wins and the others do nothing), and the winner queues the fit run in
 * the same transaction. Ticks since the last claim that got no run of their own are `missed`:
 * under `runOnce` this one run covers them, under `skip` a late tick is recorded and not run.
 */
export function* claimDueTick(provider: Provider, req: TickRequest): Query<TickOutcome> {
  const due = req.schedule.lastAtOrBefore(req.now);
  const lastRow = yield* get<{ at: unknown }>(
    `SELECT MAX("tickAt") AS "at" FROM "ScheduleTick" WHERE "trigger" = ? AND "route" = ? AND "kind" <> 'manual'`,
    [req.trigger, req.route],
  );
  const last = toDateOrNull(lastRow?.at ?? null);
  if (!last) {
    const at = due ?? req.now;
    yield* insertTick(req, at, "baseline", 0, null);
    return { kind: "baseline", tickAt: at };
  }
  if (!due || due.getTime() <= last.getTime()) return { kind: "none" };
  const missed = Math.max(0, req.schedule.countBetween(last, due) - 1);
  const late = req.now.getTime() - due.getTime() > req.graceMs;
  if (req.schedule.missed === "skip" && late) {
    const inserted = yield* insertTick(req, due, "skipped", missed + 1, null);
    return inserted ? { kind: "skipped", tickAt: due, missed: missed + 1 } : { kind: "taken", tickAt: due };
  }
  const runId = newId();
  if (!(yield* insertTick(req, due, "run", missed, runId))) return { kind: "taken", tickAt: due };
  const rows = yield* queueScheduledRun(provider, req, runId);
  return { kind: "run", tickAt: due, missed, runId, rows };
}

/** An operator's "run now": a manual tick at this instant, with its queued run. */
export function* claimManualTick(provider: Provider, req: TickRoute & { at: Date; actor: string }): Query<TickOutcome & { kind: "manual" }> {
  const runId = newId();
  const inserted = yield* insertTick({ ...req, owner: req.actor }, req.at, "manual", 0, runId);
  // Two manual runs in one millisecond: the second one is the first one.
  if (!inserted) throw new Error(`a run of ${req.trigger}/${req.route} was asked for at ${req.at.toISOString()} already`);
  const rows = yield* queueScheduledRun(provider, req, runId);
  return { kind: "manual", tickAt: req.at, missed: 0, runId, rows };
}

function* insertTick(req: { trigger: string; route: string; owner: string }, at: Date, kind: TickKind, missed: number, runId: string | null): Query<boolean> {
  const n = yield* run(
    `INSERT INTO "ScheduleTick" ("trigger", "route", "tickAt", "kind", "missed", "fitRunId", "claimedBy", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [req.trigger, req.route, at, kind, missed, runId, req.owner, new Date()],
  );
  return n > 0;
}

/**
 * The queued run of a tick: it takes the route's unclaimed, unheld rows (up to maxRows, oldest
 * first) and waits in the queue like a retry, so the ordinary claim runs it — one fit of the
 * trigger at a time, on the active version, committed as a new version with its run record.
 */
function* queueScheduledRun(provider: Provider, req: TickRoute, runId: string): Query<number> {
  const got = yield* all<{ rowId: string }>(
    `UPDATE "PendingRow" SET "fitRunId" = ? WHERE "trigger" = ? AND "route" = ? AND "fitRunId" IS NULL AND "rowId" IN (
       SELECT "rowId" FROM "PendingRow" WHERE "trigger" = ? AND "route" = ? AND "held" = ? AND "fitRunId" IS NULL ORDER BY "rowId" LIMIT ?
     ) RETURNING "rowId"`,
    [runId, req.trigger, req.route, req.trigger, req.route, false, req.schedule.maxRows],
  );
  const rowIds = got.map((r) => r.rowId).sort();
  const json = provider === "postgresql" ? "?::jsonb" : "?";
  const now = new Date();
  yield* run(
    `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "deadLettered", "queuedAt", "reason")
     VALUES (?, ?, ?, ?, 'queued', ${json}, ?, ${json}, ?, 0, ?, ?, ?, 'schedule')`,
    [runId, req.trigger, req.route, req.relation, JSON.stringify(rowIds), rowIds.length, JSON.stringify(req.params ?? {}), req.paramsHash, req.maxAttempts, false, now],
  );
  return rowIds.length;
}

/** The fit run of a scheduled tick, as schedules report it. */
export interface ScheduledRun {
  tickAt: Date;
  kind: "run" | "manual";
  /** Ticks before this one that got no run of their own (a catch-up covers them). */
  missed: number;
  runId: string;
  /** queued | running | succeeded | failed | superseded; null when the run record is gone. */
  status: string | null;
  rows: number;
  producedVersion: number | null;
  error: string | null;
  finishedAt: Date | null;
}

export interface TickRecord {
  tickAt: Date;
  kind: TickKind;
  missed: number;
  fitRunId: string | null;
  claimedBy: string;
  createdAt: Date;
  run: ScheduledRun | null;
}

const TICK_COLUMNS = `t."tickAt", t."kind", t."missed", t."fitRunId", t."claimedBy", t."createdAt", f."status", f."rowCount", f."producedVersion", f."error", f."finishedAt"`;

function toTick(r: Record<string, unknown>): TickRecord {
  const runId = (r.fitRunId as string | null) ?? null;
  const kind = r.kind as TickKind;
  return {
    tickAt: toDate(r.tickAt),
    kind,
    missed: Number(r.missed),
    fitRunId: runId,
    claimedBy: r.claimedBy as string,
    createdAt: toDate(r.createdAt),
    run: runId && (kind === "run" || kind === "manual")
      ? {
          tickAt: toDate(r.tickAt), kind, missed: Number(r.missed), runId, status: (r.status as string | null) ?? null, rows: Number(r.rowCount ?? 0),
          producedVersion: toNumOrNull(r.producedVersion), error: (r.error as string | null) ?? null, finishedAt: toDateOrNull(r.finishedAt),
        }
      : null,
  };
}

/** A route's claimed ticks, newest first. */
export function* readTicks(trigger: string, route: string, limit: number): Query<TickRecord[]> {
  const rows = yield* all(
    `SELECT ${TICK_COLUMNS} FROM "ScheduleTick" t LEFT JOIN "FitRun" f ON f."id" = t."fitRunId" WHERE t."trigger" = ? AND t."route" = ? ORDER BY t."tickAt" DESC LIMIT ?`,
    [trigger, route, limit],
  );
  return rows.map(toTick);
}

export interface RouteTickSummary {
  /** The latest tick that ran a fit (cron or manual). */
  lastRun: ScheduledRun | null;
  /** The latest cron instant claimed by any process (run, skipped or baseline). */
  lastTickAt: Date | null;
  /** Rows waiting for the next tick. */
  pendingRows: number;
}

/** For each scheduled route: its last run, last claimed tick and waiting rows. */
export function* readTickSummaries(routes: readonly { trigger: string; route: string }[]): Query<RouteTickSummary[]> {
  const out: RouteTickSummary[] = [];
  for (const { trigger, route } of routes) {
    const lastRun = yield* get(
      `SELECT ${TICK_COLUMNS} FROM "ScheduleTick" t LEFT JOIN "FitRun" f ON f."id" = t."fitRunId" WHERE t."trigger" = ? AND t."route" = ? AND t."kind" IN ('run', 'manual') ORDER BY t."tickAt" DESC LIMIT 1`,
      [trigger, route],
    );
    const last = yield* get<{ at: unknown }>(`SELECT MAX("tickAt") AS "at" FROM "ScheduleTick" WHERE "trigger" = ? AND "route" = ? AND "kind" <> 'manual'`, [trigger, route]);
    const pending = yield* get<{ n: unknown }>(
      `SELECT COUNT(*) AS "n" FROM "PendingRow" WHERE "trigger" = ? AND "route" = ? AND "held" = ? AND "fitRunId" IS NULL`,
      [trigger, route, false],
    );
    out.push({ lastRun: lastRun ? toTick(lastRun).run : null, lastTickAt: toDateOrNull(last?.at ?? null), pendingRows: Number(pending?.n ?? 0) });
  }
  return out;
}
