import os from "node:os";
import { all, decodeJson, get, newId, run, toDate, type Database, type Provider, type Query } from "@motion/db";
import type { App } from "./app.ts";
import type { ResolvedRoute, Trigger, InferenceSummary } from "./trigger.ts";
import type { StoredRow } from "./relation.ts";
import { FitError, type FitExecutor } from "./fit-executor.ts";
import { bufferKeys } from "./fit-task.ts";
import {
  claimBatch, failRun, renewLease, supersede, type Claim,
} from "./fit-store.ts";
import {
  insertBlobs, insertVersion, moveAlias, nextManifest, readAliases,
  type EncodedPatch, type StateStore, type VersionInfo,
} from "./state-store.ts";
import type { Logger } from "./logger.ts";

export type FitResult =
  | { kind: "none" }
  | { kind: "committed"; runId: string; version: VersionInfo; patch: EncodedPatch }
  | { kind: "duplicate"; runId: string }
  | { kind: "superseded"; runId: string }
  | { kind: "failed"; runId: string; dead: boolean; error: string };

export interface FitRunnerDeps {
  db: Database;
  app: App;
  store: StateStore;
  executor: FitExecutor;
  log: Logger;
  /** The params a fit about to be claimed runs with (checked against the database on SQLite). */
  params(trigger: string): Promise<{ params: unknown; hash: string }>;
  /** Called after a commit, so this process's infer sees it at once (when `active` moved). */
  onCommitted(trigger: string, version: VersionInfo, patch: EncodedPatch, activeMoved: boolean): void;
  leaseMs?: number;
}

export const LEASE_MS = 60_000;

/** Lease owners are `host:pid:nonce`; a process on this host that is gone holds nothing. */
export function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(":");
  if (host !== os.hostname() || !pid || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function backoff(trigger: Trigger, attempts: number): number {
  const { backoffMs, maxBackoffMs } = trigger.retry;
  return Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, attempts - 1));
}

function* loadBatch(provider: Provider, trigger: string, rowIds: string[]): Query<{ rows: StoredRow[]; inferences: Record<string, InferenceSummary> }> {
  const marks = rowIds.map(() => "?").join(", ");
  const rowRecords = yield* all<{ id: string; key: string | null; data: unknown; createdAt: unknown }>(
    `SELECT "id", "key", "data", "createdAt" FROM "Row" WHERE "id" IN (${marks}) ORDER BY "id"`,
    rowIds,
  );
  const inferenceRecords = yield* all<{ id: string; rowId: string; output: unknown; stateVersion: number }>(
    `SELECT "id", "rowId", "output", "stateVersion" FROM "Inference" WHERE "trigger" = ? AND "error" IS NULL AND "rowId" IN (${marks}) ORDER BY "id"`,
    [trigger, ...rowIds],
  );
  const inferences: Record<string, InferenceSummary> = {};
  for (const r of inferenceRecords) {
    inferences[r.rowId] = { id: r.id, rowId: r.rowId, output: decodeJson(provider, r.output), stateVersion: Number(r.stateVersion) };
  }
  return {
    rows: rowRecords.map((r) => ({ id: r.id, key: r.key, createdAt: toDate(r.createdAt), data: decodeJson(provider, r.data) })),
    inferences,
  };
}

interface CommitRequest {
  provider: Provider;
  runId: string;
  owner: string;
  trigger: string;
  base: VersionInfo;
  patch: EncodedPatch;
  metrics: Record<string, number>;
  now: Date;
  durationMs: number;
}

type CommitOutcome = { kind: "committed"; version: VersionInfo; activeMoved: boolean } | { kind: "duplicate" } | { kind: "superseded" } | { kind: "lost" };

/**
 * v+1 = v ⊕ patch, atomically with the run's record and the consumption of its rows.
 * Idempotent per run: a redelivered batch whose run already succeeded commits nothing.
 */
function* commitFit(c: CommitRequest): Query<CommitOutcome> {
  const aliases = yield* readAliases(c.trigger, c.provider);
  const runRow = yield* get<{ status: string; leaseOwner: string | null }>(`SELECT "status", "leaseOwner" FROM "FitRun" WHERE "id" = ?`, [c.runId]);
  if (!runRow || runRow.status === "succeeded") return { kind: "duplicate" };
  if (runRow.status !== "running" || runRow.leaseOwner !== c.owner) return { kind: "lost" };
  if (!aliases || aliases.active !== c.base.version) {
    yield* supersede(c.runId, c.now);
    return { kind: "superseded" };
  }
  const max = yield* get<{ v: unknown }>(`SELECT MAX("version") AS "v" FROM "StateVersion" WHERE "trigger" = ?`, [c.trigger]);
  const number = Number(max?.v ?? 0) + 1;
  yield* insertBlobs(c.patch, c.now);
  const version = yield* insertVersion({
    trigger: c.trigger, version: number, parent: c.base.version, fitRunId: c.runId,
    manifest: nextManifest(c.base.manifest, c.patch), createdAt: c.now,
  });
  const actor = `fit:${c.runId}`;
  yield* moveAlias({ trigger: c.trigger, alias: "latest", from: aliases.latest, to: number, actor, at: c.now });
  if (!aliases.pinned) yield* moveAlias({ trigger: c.trigger, alias: "active", from: aliases.active, to: number, actor, at: c.now });
  yield* run(`DELETE FROM "PendingRow" WHERE "fitRunId" = ?`, [c.runId]);
  yield* run(
    `UPDATE "FitRun" SET "status" = 'succeeded', "producedVersion" = ?, "metrics" = ?, "baseVersion" = ?, "finishedAt" = ?, "durationMs" = ?, "error" = NULL, "errorStack" = NULL, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ?`,
    [number, JSON.stringify(c.metrics), c.base.version, c.now, c.durationMs, c.runId],
  );
  if (c.provider === "postgresql") yield* all(`SELECT pg_notify('motion_state', ?)`, [c.trigger]);
  return { kind: "committed", version, activeMoved: !aliases.pinned };
}

/** Claims, executes and commits one batch of one route. Shared by every scheduler. */
export class FitRunner {
  readonly owner = `${os.hostname()}:${process.pid}:${newId()}`;
  private readonly leaseMs: number;

  constructor(private readonly deps: FitRunnerDeps) {
    this.leaseMs = deps.leaseMs ?? LEASE_MS;
  }

  async runNext(trigger: Trigger, route: ResolvedRoute): Promise<FitResult> {
    // The claim itself locks the trigger's alias, takes the base version and refuses a
    // pinned trigger or one another process is fitting.
    const { db } = this.deps;
    const { params, hash } = await this.deps.params(trigger.name);
    const now = new Date();
    const claim: Claim | null = await db.tx(() =>
      claimBatch(db.provider, {
        trigger: trigger.name, route: route.name, relation: route.relation.name, batchSize: route.batchSize,
        owner: this.owner, leaseMs: this.leaseMs, params, paramsHash: hash, maxAttempts: trigger.retry.maxAttempts, now,
      }),
    );
    if (!claim) return { kind: "none" };
    return this.execute(trigger, route, claim, claim.baseVersion, params);
  }

  private async execute(trigger: Trigger, route: ResolvedRoute, claim: Claim, baseVersion: number, params: unknown): Promise<FitResult> {
    const { db, store, log, executor, app } = this.deps;
    const started = performance.now();
    const heartbeat = setInterval(() => {
      void db.tx(() => renewLease(claim.runId, this.owner, new Date(Date.now() + this.leaseMs))).catch(() => undefined);
    }, Math.max(1000, this.leaseMs / 3));
    heartbeat.unref();
    try {
      const { info: base, state } = await store.load(trigger.name, baseVersion);
      await db.tx(() => run(`UPDATE "FitRun" SET "baseVersion" = ? WHERE "id" = ?`, [base.version, claim.runId]));
      const batch = await db.read(() => loadBatch(db.provider, trigger.name, claim.rowIds));
      let outcome;
      try {
        outcome = await executor.run({
          appModule: app.module, appName: app.name, trigger: trigger.name, route: route.name,
          version: base.version, state, buffers: bufferKeys(state), rows: batch.rows, params, inferences: batch.inferences, reason: claim.reason,
        });
      } catch (error) {
        const err = error instanceof FitError ? error : new FitError((error as Error)?.message ?? String(error), (error as Error)?.stack ?? null);
        const result = await db.tx(() =>
          failRun({
            runId: claim.runId, owner: this.owner, error: err.message, stack: err.fitStack, attempts: claim.attempts,
            maxAttempts: trigger.retry.maxAttempts, backoffMs: backoff(trigger, claim.attempts), now: new Date(),
            durationMs: performance.now() - started,
          }),
        );
        log.warn({ trigger: trigger.name, route: route.name, run: claim.runId, attempt: claim.attempts, err: err.message }, result === "dead" ? "fit dead-lettered" : "fit failed; will retry");
        return { kind: "failed", runId: claim.runId, dead: result === "dead", error: err.message };
      }
      const committed = await db.tx(() =>
        commitFit({
          provider: db.provider, runId: claim.runId, owner: this.owner, trigger: trigger.name, base,
          patch: outcome.patch, metrics: outcome.metrics, now: new Date(), durationMs: performance.now() - started,
        }),
      );
      if (committed.kind === "committed") {
        this.deps.onCommitted(trigger.name, committed.version, outcome.patch, committed.activeMoved);
        return { kind: "committed", runId: claim.runId, version: committed.version, patch: outcome.patch };
      }
      if (committed.kind === "superseded") return { kind: "superseded", runId: claim.runId };
      return { kind: "duplicate", runId: claim.runId };
    } finally {
      clearInterval(heartbeat);
    }
  }
}

