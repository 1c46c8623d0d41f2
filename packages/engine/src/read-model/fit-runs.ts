// Fit history as operators read it: runs newest first (keyset on the time-sortable id), and one
// run with every failed attempt (error, stack, what the fit logged) and operators' retries.
import { selectAll, selectFirst, storage, toBool, toDate, toDateOrNull, toJson, toJsonOrNull, toNum, toNumOrNull, type Query } from "@motion/db";
import type { AttemptOutcome, FitStatus } from "../fit-store.ts";
import type { FitLogs } from "../fit-log.ts";
import { pageOf, type Page } from "./page.ts";

export interface FitRunFilter {
  trigger?: string;
  status?: FitStatus;
  deadLettered?: boolean;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  limit: number;
}

/** A run without its row ids, params and logs (which can be large). */
export interface FitRunSummary {
  id: string;
  trigger: string;
  route: string;
  relation: string;
  status: FitStatus;
  rowCount: number;
  attempts: number;
  maxAttempts: number;
  baseVersion: number | null;
  producedVersion: number | null;
  error: string | null;
  deadLettered: boolean;
  metrics: Record<string, number> | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  /** Why the run exists beyond new rows: "schedule" (a scheduled tick), "drift" (a drift refit), or null. */
  reason: string | null;
}

export interface FitAttemptRecord {
  id: string;
  attempt: number;
  outcome: AttemptOutcome;
  error: string;
  errorStack: string | null;
  logs: FitLogs | null;
  /** The process (`host:pid:nonce`) that ran it. */
  owner: string | null;
  durationMs: number | null;
  at: Date;
}

export interface FitRunDetail extends FitRunSummary {
  rowIds: string[];
  params: unknown;
  paramsHash: string;
  errorStack: string | null;
  /** What the successful attempt logged (failed attempts keep theirs in `failedAttempts`). */
  logs: FitLogs | null;
  /** Every failed attempt, oldest first. */
  failedAttempts: FitAttemptRecord[];
  /** Operators' retries of the run (from the audit log), newest first. */
  retries: { actor: string; reason: string | null; at: Date }[];
}

/** The FitRun columns a summary reads. */
export const FIT_RUN_SUMMARY_COLUMNS = [
  "id", "trigger", "route", "relation", "status", "rowCount", "attempts", "maxAttempts", "baseVersion", "producedVersion", "error", "deadLettered",
  "queuedAt", "startedAt", "finishedAt", "durationMs", "metrics", "reason",
] as const;
/** Most failed attempts and retries one detail read returns (a run retried for weeks stays one cheap read). */
const HISTORY_LIMIT = 100;

/** A run summary from a raw FitRun record. */
export function toFitRunSummary(r: Record<string, unknown>): FitRunSummary {
  return {
    id: r.id as string,
    trigger: r.trigger as string,
    route: r.route as string,
    relation: r.relation as string,
    status: r.status as FitStatus,
    rowCount: toNum(r.rowCount),
    attempts: toNum(r.attempts),
    maxAttempts: toNum(r.maxAttempts),
    baseVersion: toNumOrNull(r.baseVersion),
    producedVersion: toNumOrNull(r.producedVersion),
    error: (r.error as string | null) ?? null,
    deadLettered: toBool(r.deadLettered),
    metrics: toJsonOrNull<Record<string, number>>(r.metrics),
    queuedAt: toDate(r.queuedAt),
    startedAt: toDateOrNull(r.startedAt),
    finishedAt: toDateOrNull(r.finishedAt),
    durationMs: toNumOrNull(r.durationMs),
    reason: (r.reason as string | null | undefined) ?? null,
  };
}

/** A page of runs, newest first: indexed by (trigger, status) / id. */
export function* listFitRuns(filter: FitRunFilter): Query<Page<FitRunSummary>> {
  let q = storage.selectFrom("FitRun").select(FIT_RUN_SUMMARY_COLUMNS);
  if (filter.trigger !== undefined) q = q.where("trigger", "=", filter.trigger);
  if (filter.status !== undefined) q = q.where("status", "=", filter.status);
  if (filter.deadLettered !== undefined) q = q.where("deadLettered", "=", filter.deadLettered);
  if (filter.cursor) q = q.where("id", "<", filter.cursor);
  const rows = yield* selectAll(q.orderBy("id", "desc").limit(filter.limit + 1));
  return pageOf(rows.map(toFitRunSummary), filter.limit);
}

/** One run with its attempts and retries, or undefined. */
export function* readFitRunDetail(id: string): Query<FitRunDetail | undefined> {
  const r = yield* selectFirst(storage.selectFrom("FitRun").selectAll().where("id", "=", id));
  if (!r) return undefined;
  const attempts = yield* selectAll(
    storage.selectFrom("FitAttempt").select(["id", "attempt", "outcome", "error", "errorStack", "logs", "owner", "durationMs", "createdAt"])
      .where("fitRunId", "=", id).orderBy("id", "desc").limit(HISTORY_LIMIT),
  );
  const retries = yield* selectAll(
    storage.selectFrom("AuditEvent").select(["actor", "reason", "createdAt"]).where("action", "=", "fits.retry").where("target", "=", id).orderBy("id", "desc").limit(HISTORY_LIMIT),
  );
  return {
    ...toFitRunSummary(r),
    rowIds: toJson<string[]>(r.rowIds),
    params: toJson(r.params),
    paramsHash: r.paramsHash as string,
    errorStack: (r.errorStack as string | null) ?? null,
    logs: toJsonOrNull<FitLogs>(r.logs),
    failedAttempts: attempts.reverse().map((a) => ({
      id: a.id as string,
      attempt: toNum(a.attempt),
      outcome: a.outcome as AttemptOutcome,
      error: a.error as string,
      errorStack: (a.errorStack as string | null) ?? null,
      logs: toJsonOrNull<FitLogs>(a.logs),
      owner: (a.owner as string | null) ?? null,
      durationMs: toNumOrNull(a.durationMs),
      at: toDate(a.createdAt),
    })),
    retries: retries.map((e) => ({ actor: e.actor, reason: e.reason ?? null, at: toDate(e.createdAt) })),
  };
}
