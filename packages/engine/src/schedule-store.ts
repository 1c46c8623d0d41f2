import { execute, newId, selectAll, selectFirst, storage, toDate, toDateOrNull, toNumOrNull, type Query } from "@motion/db";
import { ConflictError } from "./errors.ts";
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
export function* claimDueTick(req: TickRequest): Query<TickOutcome> {
  const due = req.schedule.lastAtOrBefore(req.now);
  const lastRow = yield* selectFirst(lastTick(req.trigger, req.route));
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
  const rows = yield* queueScheduledRun(req, runId);
  return { kind: "run", tickAt: due, missed, runId, rows };
}

/** An operator's "run now": a manual tick at this instant, with its queued run. */
export function* claimManualTick(req: TickRoute & { at: Date; actor: string }): Query<TickOutcome & { kind: "manual" }> {
  const runId = newId();
  const inserted = yield* insertTick({ ...req, owner: req.actor }, req.at, "manual", 0, runId);
  // Two manual runs in one millisecond (a double click, a retried request): the second one is
  // the first one — a conflict for its caller, not a failure.
  if (!inserted) throw new ConflictError(`a run of ${req.trigger}/${req.route} was asked for at ${req.at.toISOString()} already`);
  const rows = yield* queueScheduledRun(req, runId);
  return { kind: "manual", tickAt: req.at, missed: 0, runId, rows };
}

/** The latest non-manual tick of a route (what is due next, what was missed). */
function lastTick(trigger: string, route: string) {
  return storage.selectFrom("ScheduleTick").select((eb) => eb.fn.max("tickAt").as("at")).where("trigger", "=", trigger).where("route", "=", route).where("kind", "<>", "manual");
}

function* insertTick(req: { trigger: string; route: string; owner: string }, at: Date, kind: TickKind, missed: number, runId: string | null): Query<boolean> {
  const n = yield* execute(
    storage.insertInto("ScheduleTick").values({ trigger: req.trigger, route: req.route, tickAt: at, kind, missed, fitRunId: runId, claimedBy: req.owner, createdAt: new Date() }).onConflict((oc) => oc.doNothing()),
  );
  return n > 0;
}

/**
 * The queued run of a tick: it takes the route's unclaimed, unheld rows (up to maxRows, oldest
 * first) and waits in the queue like a retry, so the ordinary claim runs it — one fit of the
 * trigger at a time, on the active version, committed as a new version with its run record.
 */
function* queueScheduledRun(req: TickRoute, runId: string): Query<number> {
  const oldest = storage.selectFrom("PendingRow").select("rowId")
    .where("trigger", "=", req.trigger).where("route", "=", req.route).where("held", "=", false).where("fitRunId", "is", null).orderBy("rowId").limit(req.schedule.maxRows);
  const got = yield* selectAll(
    storage.updateTable("PendingRow").set({ fitRunId: runId })
      .where("trigger", "=", req.trigger).where("route", "=", req.route).where("fitRunId", "is", null).where("rowId", "in", oldest)
      .returning("rowId"),
  );
  const rowIds = got.map((r) => r.rowId).sort();
  const now = new Date();
  yield* execute(
    storage.insertInto("FitRun").values({
      id: runId, trigger: req.trigger, route: req.route, relation: req.relation, status: "queued", rowIds: JSON.stringify(rowIds), rowCount: rowIds.length,
      params: JSON.stringify(req.params ?? {}), paramsHash: req.paramsHash, attempts: 0, maxAttempts: req.maxAttempts, deadLettered: false, queuedAt: now, reason: "schedule",
    }),
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

/** A route's ticks, each with the fit run it queued. */
function ticksOf(trigger: string, route: string) {
  return storage.selectFrom("ScheduleTick as t").leftJoin("FitRun as f", "f.id", "t.fitRunId")
    .select(["t.tickAt", "t.kind", "t.missed", "t.fitRunId", "t.claimedBy", "t.createdAt", "f.status", "f.rowCount", "f.producedVersion", "f.error", "f.finishedAt"])
    .where("t.trigger", "=", trigger).where("t.route", "=", route);
}

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

/**
 * A route's claimed ticks, newest first, those before `before` (exclusive) when given: a route's
 * tickAt is unique (the primary key), so the order is total and the previous page's last tickAt
 * is the keyset cursor. Reads `limit` rows: ask for one more than a page to know if one follows.
 */
export function* readTicks(trigger: string, route: string, limit: number, before?: Date): Query<TickRecord[]> {
  let q = ticksOf(trigger, route);
  if (before) q = q.where("t.tickAt", "<", before);
  const rows = yield* selectAll(q.orderBy("t.tickAt", "desc").limit(limit));
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
    const lastRun = yield* selectFirst(ticksOf(trigger, route).where("t.kind", "in", ["run", "manual"]).orderBy("t.tickAt", "desc").limit(1));
    const last = yield* selectFirst(lastTick(trigger, route));
    const pending = yield* selectFirst(
      storage.selectFrom("PendingRow").select((eb) => eb.fn.countAll().as("n")).where("trigger", "=", trigger).where("route", "=", route).where("held", "=", false).where("fitRunId", "is", null),
    );
    out.push({ lastRun: lastRun ? toTick(lastRun).run : null, lastTickAt: toDateOrNull(last?.at ?? null), pendingRows: Number(pending?.n ?? 0) });
  }
  return out;
}
