import { execute, newId, selectAll, selectFirst, storage, toDate, toDateOrNull, toJson, type Query } from "@motion/db";
import type { FitLogs } from "./fit-log.ts";
import { toFitRunSummary } from "./read-model/fit-runs.ts";

export type FitStatus = "queued" | "running" | "succeeded" | "failed" | "superseded" | "skipped";

export interface FitRunRecord {
  id: string;
  trigger: string;
  route: string;
  relation: string;
  status: FitStatus;
  rowIds: string[];
  rowCount: number;
  params: unknown;
  paramsHash: string;
  attempts: number;
  maxAttempts: number;
  baseVersion: number | null;
  producedVersion: number | null;
  error: string | null;
  errorStack: string | null;
  metrics: Record<string, number> | null;
  deadLettered: boolean;
  runAfter: Date | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  /** "drift" for a drift refit, else null. */
  reason: string | null;
}

export function toFitRun(r: Record<string, unknown>): FitRunRecord {
  return {
    ...toFitRunSummary(r),
    rowIds: toJson<string[]>(r.rowIds),
    params: toJson(r.params),
    paramsHash: r.paramsHash as string,
    errorStack: (r.errorStack as string | null) ?? null,
    runAfter: toDateOrNull(r.runAfter),
    reason: (r.reason as string | null) ?? null,
  };
}

export function* readFitRun(id: string): Query<FitRunRecord | undefined> {
  const r = yield* selectFirst(storage.selectFrom("FitRun").selectAll().where("id", "=", id));
  return r ? toFitRun(r) : undefined;
}

export interface FailRequest {
  runId: string;
  owner: string;
  error: string;
  stack: string | null;
  attempts: number;
  maxAttempts: number;
  backoffMs: number;
  now: Date;
  durationMs: number;
  /** The version the failed fit read (a chained batch's base is known only when it runs). */
  baseVersion: number;
  /** "failed" (the fit threw) or "timeout" (past maxDurationMs); default "failed". */
  outcome?: AttemptOutcome;
  /** What the fit logged before it failed. */
  logs?: FitLogs | null;
}

export type AttemptOutcome = "failed" | "timeout" | "died";

/** The failed attempt's record, in the transaction that records the failure on its run. */
function* recordAttempt(a: { runId: string; attempt: number; outcome: AttemptOutcome; error: string; stack: string | null; logs: FitLogs | null; owner: string | null; durationMs: number | null; now: Date }): Query<void> {
  yield* execute(
    storage.insertInto("FitAttempt").values({
      id: newId(a.now.getTime()), fitRunId: a.runId, attempt: a.attempt, outcome: a.outcome, error: a.error, errorStack: a.stack,
      logs: a.logs ? JSON.stringify(a.logs) : null, owner: a.owner, durationMs: a.durationMs, createdAt: a.now,
    }),
  );
}

/** Records a failed attempt: back to the queue after a backoff, or dead-lettered. Rows stay pending. */
export function* failRun(f: FailRequest): Query<"retrying" | "dead" | "lost"> {
  const dead = f.attempts >= f.maxAttempts;
  const update = dead
    ? storage.updateTable("FitRun").set({ status: "failed", deadLettered: true, error: f.error, errorStack: f.stack, finishedAt: f.now, durationMs: f.durationMs, baseVersion: f.baseVersion, leaseOwner: null, leaseUntil: null })
    : storage.updateTable("FitRun").set({ status: "queued", error: f.error, errorStack: f.stack, runAfter: new Date(f.now.getTime() + f.backoffMs), durationMs: f.durationMs, baseVersion: f.baseVersion, leaseOwner: null, leaseUntil: null });
  const changed = yield* execute(update.where("id", "=", f.runId).where("leaseOwner", "=", f.owner));
  // A run another process took over (our lease expired) is its attempt to record, not ours.
  if (changed === 0) return "lost";
  yield* recordAttempt({ runId: f.runId, attempt: f.attempts, outcome: f.outcome ?? "failed", error: f.error, stack: f.stack, logs: f.logs ?? null, owner: f.owner, durationMs: f.durationMs, now: f.now });
  return dead ? "dead" : "retrying";
}

/**
 * This process stopped the fits itself (closing), or never started them (the rest of a chain):
 * the runs go back to the queue as they were before the claim — the attempt is not counted,
 * since the fit did nothing wrong.
 */
export function* releaseRuns(runIds: readonly string[], owner: string): Query<number> {
  if (runIds.length === 0) return 0;
  return yield* execute(
    storage.updateTable("FitRun").set((eb) => ({ status: "queued", attempts: eb("attempts", "-", 1), runAfter: null, leaseOwner: null, leaseUntil: null }))
      .where("id", "in", [...runIds]).where("leaseOwner", "=", owner).where("status", "=", "running"),
  );
}

/**
 * Runs of a chain this process claimed but never started (it is closing, or a batch before
 * them lost its base or lease, so they could not commit): the claim is undone — the run
 * records go, their rows are pending again for the next claim. Only runs still ours.
 */
export function* unclaimRuns(runIds: readonly string[], owner: string): Query<number> {
  if (runIds.length === 0) return 0;
  const gone = yield* selectAll(storage.deleteFrom("FitRun").where("id", "in", [...runIds]).where("leaseOwner", "=", owner).where("status", "=", "running").returning("id"));
  if (gone.length) yield* execute(storage.updateTable("PendingRow").set({ fitRunId: null }).where("fitRunId", "in", gone.map((c) => c.id)));
  return gone.length;
}

/** An operator re-queues a dead-lettered run: fresh attempts, same rows. */
export function* requeueDead(id: string): Query<boolean> {
  const changed = yield* execute(
    storage.updateTable("FitRun").set({ status: "queued", attempts: 0, deadLettered: false, runAfter: null, finishedAt: null }).where("id", "=", id).where("status", "=", "failed"),
  );
  return changed > 0;
}

/** The run lost its base (the active version moved): its rows go back to the pending pool. */
export function* supersede(runId: string, now: Date): Query<void> {
  yield* execute(storage.updateTable("FitRun").set({ status: "superseded", finishedAt: now, leaseOwner: null, leaseUntil: null }).where("id", "=", runId));
  yield* execute(storage.updateTable("PendingRow").set({ fitRunId: null }).where("fitRunId", "=", runId));
}

/**
 * Runs left `running` by a process that died: runs whose lease expired, and runs owned by a
 * process on this host that no longer exists (found at once, without waiting out the lease).
 * Runs of live processes are left alone. The attempt that died counts like a fit that threw:
 * the run goes back to the queue after its backoff, or is dead-lettered at maxAttempts — so a
 * fit that kills its own process cannot crash-loop every worker that picks it up. Every run
 * the dead process held is charged, the not-yet-started batches of its chain too (nothing
 * says which one was running); retries run alone, so the next death is the culprit's only.
 */
export function* recoverRuns(now: Date, isDead: (owner: string) => boolean, backoffMs: (trigger: string, attempts: number) => number = () => 0): Query<number> {
  const running = yield* selectAll(storage.selectFrom("FitRun").select(["id", "trigger", "leaseOwner", "leaseUntil", "attempts", "maxAttempts"]).where("status", "=", "running"));
  let recovered = 0;
  for (const r of running) {
    const expired = r.leaseUntil === null || toDate(r.leaseUntil).getTime() < now.getTime();
    const dead = !!r.leaseOwner && isDead(r.leaseOwner);
    if (!expired && !dead) continue;
    const attempts = Number(r.attempts);
    const maxAttempts = Number(r.maxAttempts);
    const error = dead
      ? `the process running this fit (${r.leaseOwner}) died during attempt ${attempts} of ${maxAttempts}`
      : `the process running this fit (${r.leaseOwner ?? "unknown"}) died or hung: its lease expired during attempt ${attempts} of ${maxAttempts}`;
    const update = attempts >= maxAttempts
      ? storage.updateTable("FitRun").set({ status: "failed", deadLettered: true, error, errorStack: null, finishedAt: now, leaseOwner: null, leaseUntil: null })
      : storage.updateTable("FitRun").set({ status: "queued", error, errorStack: null, leaseOwner: null, leaseUntil: null, runAfter: new Date(now.getTime() + backoffMs(r.trigger, attempts)) });
    const changed = yield* execute(update.where("id", "=", r.id).where("status", "=", "running"));
    // What the dead attempt logged died with it; the attempt itself is on record.
    if (changed) yield* recordAttempt({ runId: r.id, attempt: attempts, outcome: "died", error, stack: null, logs: null, owner: r.leaseOwner, durationMs: null, now });
    recovered += changed;
  }
  return recovered;
}

/** Extends the leases of these runs that are still ours and running (a chain's, together). */
export function* renewLeases(runIds: readonly string[], owner: string, until: Date): Query<number> {
  if (runIds.length === 0) return 0;
  return yield* execute(storage.updateTable("FitRun").set({ leaseUntil: until }).where("id", "in", [...runIds]).where("leaseOwner", "=", owner).where("status", "=", "running"));
}

