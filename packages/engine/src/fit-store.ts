import { all, get, newId, run, toDate, toDateOrNull, toJson, toJsonOrNull, toNumOrNull, type Provider, type Query } from "@motion/db";

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
    id: r.id as string,
    trigger: r.trigger as string,
    route: r.route as string,
    relation: r.relation as string,
    status: r.status as FitStatus,
    rowIds: toJson<string[]>(r.rowIds),
    rowCount: Number(r.rowCount),
    params: toJson(r.params),
    paramsHash: r.paramsHash as string,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.maxAttempts),
    baseVersion: toNumOrNull(r.baseVersion),
    producedVersion: toNumOrNull(r.producedVersion),
    error: (r.error as string | null) ?? null,
    errorStack: (r.errorStack as string | null) ?? null,
    metrics: toJsonOrNull(r.metrics),
    deadLettered: r.deadLettered === true || r.deadLettered === 1,
    runAfter: toDateOrNull(r.runAfter),
    queuedAt: toDate(r.queuedAt),
    startedAt: toDateOrNull(r.startedAt),
    finishedAt: toDateOrNull(r.finishedAt),
    durationMs: toNumOrNull(r.durationMs),
    reason: (r.reason as string | null) ?? null,
  };
}

export interface ClaimRequest {
  trigger: string;
  route: string;
  relation: string;
  batchSize: number;
  owner: string;
  leaseMs: number;
  params: unknown;
  paramsHash: string;
  maxAttempts: number;
  now: Date;
}

export interface Claim {
  runId: string;
  rowIds: string[];
  attempts: number;
  /** The active version when the batch was claimed: the fit's base. */
  baseVersion: number;
  /** "drift" when the batch is a drift refit, else null. */
  reason: "drift" | null;
}

function skipLocked(provider: Provider): string {
  return provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
}

/**
 * Takes the next batch for a route: first a run waiting for its retry, else up to batchSize
 * unclaimed pending rows as a new run. Rows are claimed with a conditional UPDATE, so two
 * workers can never claim the same row.
 */
export function* claimBatch(provider: Provider, req: ClaimRequest): Query<Claim | null> {
  const leaseUntil = new Date(req.now.getTime() + req.leaseMs);
  // One fit per trigger at a time, across processes: claims of a trigger serialise on its
  // `active` alias row (SQLite: the write transaction itself), and a live lease means busy.
  const active = yield* get<{ version: number; pinned: unknown }>(
    `SELECT "version", "pinned" FROM "StateAlias" WHERE "trigger" = ? AND "name" = 'active'${provider === "postgresql" ? " FOR UPDATE" : ""}`,
    [req.trigger],
  );
  if (!active || active.pinned === true || active.pinned === 1) return null;
  const baseVersion = Number(active.version);
  const busy = yield* get(
    `SELECT "id" FROM "FitRun" WHERE "trigger" = ? AND "status" = 'running' AND "leaseUntil" > ? LIMIT 1`,
    [req.trigger, req.now],
  );
  if (busy) return null;
  const retry = yield* get<{ id: string; rowIds: unknown; attempts: number; reason: string | null }>(
    `SELECT "id", "rowIds", "attempts", "reason" FROM "FitRun" WHERE "trigger" = ? AND "route" = ? AND "status" = 'queued' AND ("runAfter" IS NULL OR "runAfter" <= ?) ORDER BY "queuedAt" LIMIT 1${skipLocked(provider)}`,
    [req.trigger, req.route, req.now],
  );
  if (retry) {
    const changed = yield* run(
      `UPDATE "FitRun" SET "status" = 'running', "attempts" = "attempts" + 1, "params" = ?, "paramsHash" = ?, "leaseOwner" = ?, "leaseUntil" = ?, "startedAt" = ?, "runAfter" = NULL WHERE "id" = ? AND "status" = 'queued'`,
      [JSON.stringify(req.params), req.paramsHash, req.owner, leaseUntil, req.now, retry.id],
    );
    if (changed === 0) return null;
    return { runId: retry.id, rowIds: toJson<string[]>(retry.rowIds), attempts: Number(retry.attempts) + 1, baseVersion, reason: retry.reason === "drift" ? "drift" : null };
  }
  // Rows held back by drift wait for their partition's verdict or an operator's release.
  const candidates = yield* all<{ rowId: string; reason: string | null }>(
    `SELECT "rowId", "reason" FROM "PendingRow" WHERE "trigger" = ? AND "route" = ? AND "fitRunId" IS NULL AND "held" = ? ORDER BY "rowId" LIMIT ?${skipLocked(provider)}`,
    [req.trigger, req.route, false, req.batchSize],
  );
  if (candidates.length === 0) return null;
  const runId = newId(req.now.getTime());
  const ids = candidates.map((c) => c.rowId);
  const claimed = yield* all<{ rowId: string }>(
    `UPDATE "PendingRow" SET "fitRunId" = ? WHERE "trigger" = ? AND "route" = ? AND "fitRunId" IS NULL AND "rowId" IN (${ids.map(() => "?").join(", ")}) RETURNING "rowId"`,
    [runId, req.trigger, req.route, ...ids],
  );
  if (claimed.length === 0) return null;
  const rowIds = claimed.map((c) => c.rowId).sort();
  const reason = candidates.some((c) => c.reason === "drift") ? "drift" : null;
  yield* run(
    `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "deadLettered", "leaseOwner", "leaseUntil", "queuedAt", "startedAt", "reason") VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
    [runId, req.trigger, req.route, req.relation, JSON.stringify(rowIds), rowIds.length, JSON.stringify(req.params), req.paramsHash, req.maxAttempts, false, req.owner, leaseUntil, req.now, req.now, reason],
  );
  return { runId, rowIds, attempts: 1, baseVersion, reason };
}

export function* readFitRun(id: string): Query<FitRunRecord | undefined> {
  const r = yield* get(`SELECT * FROM "FitRun" WHERE "id" = ?`, [id]);
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
}

/** Records a failed attempt: back to the queue after a backoff, or dead-lettered. Rows stay pending. */
export function* failRun(f: FailRequest): Query<"retrying" | "dead"> {
  if (f.attempts >= f.maxAttempts) {
    yield* run(
      `UPDATE "FitRun" SET "status" = 'failed', "deadLettered" = ?, "error" = ?, "errorStack" = ?, "finishedAt" = ?, "durationMs" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ? AND "leaseOwner" = ?`,
      [true, f.error, f.stack, f.now, f.durationMs, f.runId, f.owner],
    );
    return "dead";
  }
  yield* run(
    `UPDATE "FitRun" SET "status" = 'queued', "error" = ?, "errorStack" = ?, "runAfter" = ?, "durationMs" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ? AND "leaseOwner" = ?`,
    [f.error, f.stack, new Date(f.now.getTime() + f.backoffMs), f.durationMs, f.runId, f.owner],
  );
  return "retrying";
}

/** An operator re-queues a dead-lettered run: fresh attempts, same rows. */
export function* requeueDead(id: string): Query<boolean> {
  const changed = yield* run(
    `UPDATE "FitRun" SET "status" = 'queued', "attempts" = 0, "deadLettered" = ?, "runAfter" = NULL, "finishedAt" = NULL WHERE "id" = ? AND "status" = 'failed'`,
    [false, id],
  );
  return changed > 0;
}

/** The run lost its base (the active version moved): its rows go back to the pending pool. */
export function* supersede(runId: string, now: Date): Query<void> {
  yield* run(
    `UPDATE "FitRun" SET "status" = 'superseded', "finishedAt" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ?`,
    [now, runId],
  );
  yield* run(`UPDATE "PendingRow" SET "fitRunId" = NULL WHERE "fitRunId" = ?`, [runId]);
}

/**
 * Runs left `running` by a process that died: runs whose lease expired, and runs owned by a
 * process on this host that no longer exists (found at once, without waiting out the lease).
 * Runs of live processes are left alone. The attempt that died counts like a fit that threw:
 * the run goes back to the queue after its backoff, or is dead-lettered at maxAttempts — so a
 * fit that kills its own process cannot crash-loop every worker that picks it up.
 */
export function* recoverRuns(now: Date, isDead: (owner: string) => boolean, backoffMs: (trigger: string, attempts: number) => number = () => 0): Query<number> {
  const running = yield* all<{ id: string; trigger: string; leaseOwner: string | null; leaseUntil: unknown; attempts: unknown; maxAttempts: unknown }>(
    `SELECT "id", "trigger", "leaseOwner", "leaseUntil", "attempts", "maxAttempts" FROM "FitRun" WHERE "status" = 'running'`,
  );
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
    recovered += attempts >= maxAttempts
      ? yield* run(
          `UPDATE "FitRun" SET "status" = 'failed', "deadLettered" = ?, "error" = ?, "errorStack" = NULL, "finishedAt" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ? AND "status" = 'running'`,
          [true, error, now, r.id],
        )
      : yield* run(
          `UPDATE "FitRun" SET "status" = 'queued', "error" = ?, "errorStack" = NULL, "leaseOwner" = NULL, "leaseUntil" = NULL, "runAfter" = ? WHERE "id" = ? AND "status" = 'running'`,
          [error, new Date(now.getTime() + backoffMs(r.trigger, attempts)), r.id],
        );
  }
  return recovered;
}

export function* renewLease(runId: string, owner: string, until: Date): Query<boolean> {
  return (yield* run(`UPDATE "FitRun" SET "leaseUntil" = ? WHERE "id" = ? AND "leaseOwner" = ? AND "status" = 'running'`, [until, runId, owner])) > 0;
}

export interface PendingSummary {
  trigger: string;
  route: string;
  unclaimed: number;
  oldest: Date | null;
}

/** Unclaimed rows a fit can take now (rows held back by drift are not work until released). */
export function* pendingSummary(): Query<PendingSummary[]> {
  const rows = yield* all<{ trigger: string; route: string; n: unknown; oldest: unknown }>(
    `SELECT "trigger", "route", COUNT(*) AS "n", MIN("createdAt") AS "oldest" FROM "PendingRow" WHERE "fitRunId" IS NULL AND "held" = ? GROUP BY "trigger", "route"`,
    [false],
  );
  return rows.map((r) => ({ trigger: r.trigger, route: r.route, unclaimed: Number(r.n), oldest: r.oldest === null ? null : toDate(r.oldest) }));
}

export function* queuedRuns(): Query<{ id: string; trigger: string; route: string; runAfter: Date | null }[]> {
  const rows = yield* all<{ id: string; trigger: string; route: string; runAfter: unknown }>(
    `SELECT "id", "trigger", "route", "runAfter" FROM "FitRun" WHERE "status" = 'queued'`,
  );
  return rows.map((r) => ({ ...r, runAfter: toDateOrNull(r.runAfter) }));
}
