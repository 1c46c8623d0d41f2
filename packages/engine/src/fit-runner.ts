import os from "node:os";
import { decodeJson, newId, selectAll, storage, toDate, type Database, type Provider, type Query } from "@motion/db";
import type { App } from "./app.ts";
import type { Trigger, InferenceSummary } from "./trigger.ts";
import type { StoredRow } from "./relation.ts";
import { FitAbortedError, FitError, FitTimeoutError, type FitExecutor, type FitStepResult } from "./fit-executor.ts";
import { bufferKeys, type FitOutcome, type FitTask } from "./fit-task.ts";
import { failRun, releaseRuns, renewLeases, unclaimRuns } from "./fit-store.ts";
import { claimable, claimBatches, type Claim, type ClaimOutcome } from "./fit-claim.ts";
import { commitFits, type CommitOutcome, type FitCommit } from "./fit-commit.ts";
import { nextManifest, type EncodedPatch, type StateStore, type VersionInfo } from "./state-store.ts";
import { manifestChecksum, manifestSize, type State } from "./state.ts";
import type { Logger } from "./logger.ts";

export type FitResult =
  | { kind: "none" }
  | { kind: "committed"; runId: string; version: VersionInfo; patch: EncodedPatch }
  /** A scheduled run whose fit returned nothing: succeeded, no version. */
  | { kind: "unchanged"; runId: string }
  | { kind: "duplicate"; runId: string }
  | { kind: "superseded"; runId: string }
  | { kind: "failed"; runId: string; dead: boolean; error: string }
  /** Stopped by this process closing; back in the queue, no attempt spent. */
  | { kind: "released"; runId: string };

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
  /** Most batches of one trigger claimed and run as a chain per round (default 64). */
  maxChain?: number;
}

export const LEASE_MS = 60_000;
export const DEFAULT_MAX_CHAIN = 64;

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

type Batch = { rows: StoredRow[]; inferences: Record<string, InferenceSummary> };

/**
 * The rows of every claim of a round in one query, and what this trigger inferred for them in
 * one more — only for triggers that infer on a fitted relation (no other trigger can have).
 */
function* loadBatches(provider: Provider, claims: readonly { claim: Claim; trigger: Trigger }[]): Query<Map<string, Batch>> {
  const ids = [...new Set(claims.flatMap((c) => c.claim.rowIds))];
  const out = new Map<string, Batch>(claims.map((c) => [c.claim.runId, { rows: [], inferences: {} }]));
  if (ids.length === 0) return out;
  const rowRecords = yield* selectAll(storage.selectFrom("Row").select(["id", "key", "data", "createdAt"]).where("id", "in", ids).orderBy("id"));
  const rows = new Map(rowRecords.map((r) => [r.id, { id: r.id, key: r.key, createdAt: toDate(r.createdAt), data: decodeJson(provider, r.data) } as StoredRow]));
  const inferring = [...new Set(claims.filter(({ claim, trigger }) => {
    const relation = trigger.routes.find((r) => r.name === claim.route)?.relation.name;
    return trigger.routes.some((r) => r.infer && r.relation.name === relation);
  }).map((c) => c.trigger.name))];
  const inferences = new Map<string, InferenceSummary>();
  if (inferring.length) {
    const records = yield* selectAll(
      storage.selectFrom("Inference").select(["id", "trigger", "rowId", "output", "stateVersion"]).where("trigger", "in", inferring).where("error", "is", null).where("rowId", "in", ids).orderBy("id"),
    );
    for (const r of records) inferences.set(`${r.trigger}\u0000${r.rowId}`, { id: r.id, rowId: r.rowId, output: decodeJson(provider, r.output), stateVersion: Number(r.stateVersion) });
  }
  for (const { claim, trigger } of claims) {
    const batch = out.get(claim.runId)!;
    for (const id of claim.rowIds) {
      const row = rows.get(id);
      if (row) batch.rows.push(row);
      const inference = inferences.get(`${trigger.name}\u0000${id}`);
      if (inference) batch.inferences[id] = inference;
    }
  }
  return out;
}

/** Fit results as they arrive, read in order; then the end (with the error that cut it short). */
class Results {
  private readonly items: { index: number; result: FitStepResult }[] = [];
  private ended: { error?: unknown } | null = null;
  private wake: (() => void) | null = null;

  push(index: number, result: FitStepResult): void {
    this.items.push({ index, result });
    this.wake?.();
  }

  end(error?: unknown): void {
    this.ended = { error };
    this.wake?.();
  }

  async next(): Promise<{ index: number; result: FitStepResult } | { end: true; error?: unknown }> {
    while (!this.items.length && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    return this.items.shift() ?? { end: true, error: this.ended!.error };
  }
}

/** How often a draining process looks for runs of dead processes (not on every round). */
const RECOVERY_INTERVAL_MS = 1000;
/** How long a finished fit waits for others still running to share its commit. */
const GROUP_WAIT_MS = 10;
/** Most fits in one commit (chains finish many while one commit is in flight). */
const MAX_GROUP = 1000;

/** Claims, executes and commits batches. Shared by every scheduler. */
export class FitRunner {
  readonly owner = `${os.hostname()}:${process.pid}:${newId()}`;
  private readonly leaseMs: number;
  private readonly maxChain: number;
  private readonly waiting: { fit: FitCommit; resolve: (o: CommitOutcome) => void; reject: (e: unknown) => void }[] = [];
  private committing = false;
  /** Fits of this process between their claim and their commit. */
  private executing = 0;
  private lastRecovery = 0;

  constructor(private readonly deps: FitRunnerDeps) {
    this.leaseMs = deps.leaseMs ?? LEASE_MS;
    this.maxChain = deps.maxChain ?? DEFAULT_MAX_CHAIN;
    if (!Number.isInteger(this.maxChain) || this.maxChain < 1) throw new TypeError(`fitChain must be a positive integer, got ${this.maxChain}`);
  }

  /** Whether to look for runs of dead processes now; at most once a second per process. */
  recoveryDue(): boolean {
    const now = Date.now();
    if (now - this.lastRecovery < RECOVERY_INTERVAL_MS) return false;
    this.lastRecovery = now;
    return true;
  }

  /**
   * Claims the next ready batches of each of these triggers (a chain of up to maxChain), in
   * one transaction. The claim locks the triggers' aliases, takes each base version and skips
   * pinned triggers and triggers another process is fitting.
   */
  async claim(triggers: readonly Trigger[], force: boolean, stopped?: () => boolean): Promise<ClaimOutcome> {
    const { db } = this.deps;
    // Params as they are now (read from the database on SQLite); each run records its own.
    const params = await Promise.all(triggers.map((t) => this.deps.params(t.name)));
    let targets = triggers.map((t, i) => {
      const { params: value, hash } = params[i]!;
      return {
        trigger: t.name, params: value, paramsHash: hash, maxAttempts: t.retry.maxAttempts,
        routes: t.routes.filter((r) => r.fit).map((r) => ({ name: r.name, relation: r.relation.name, batchSize: r.batchSize, maxWaitMs: r.maxWaitMs, scheduled: !!r.schedule })),
      };
    });
    if (db.provider === "postgresql") {
      const worth = await db.read(() => claimable(targets, new Date()));
      targets = targets.filter((t) => worth.has(t.trigger));
      if (targets.length === 0) return { claims: [], wakeAt: null };
    }
    return db.tx(() => claimBatches(db.provider, { targets, owner: this.owner, leaseMs: this.leaseMs, now: new Date(), force, stopped, maxChain: this.maxChain }));
  }

  /**
   * Runs every claim of a round: their rows load together; the claims of one trigger are a
   * chain, run one after another, each on the state the one before it produced (in memory),
   * while their commits go out behind them. One result per claim, in claim order.
   */
  run(claims: readonly Claim[], stopped?: () => boolean): Promise<FitResult>[] {
    const { db, app } = this.deps;
    const items = claims.map((claim) => ({ claim, trigger: app.trigger(claim.trigger)! }));
    if (items.length === 0) return [];
    const chains = new Map<string, number[]>();
    items.forEach(({ claim }, i) => {
      const chain = chains.get(claim.trigger);
      if (chain) chain.push(i);
      else chains.set(claim.trigger, [i]);
    });
    // Base versions another process committed are read together, not one query per fit.
    const heads = [...chains.values()].map(([first]) => items[first!]!.claim);
    const loaded = Promise.all([
      this.deps.store.preload(heads.map((c) => ({ trigger: c.trigger, version: c.baseVersion }))),
      db.read(() => loadBatches(db.provider, items)),
    ]).then(([, batches]) => batches);
    const results: Promise<FitResult>[] = new Array(items.length);
    for (const [name, indexes] of chains) {
      const settle = indexes.map((index) => {
        let resolve!: (r: FitResult) => void;
        let reject!: (e: unknown) => void;
        results[index] = new Promise<FitResult>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        return { resolve, reject };
      });
      void this.runChain(app.trigger(name)!, indexes.map((index) => items[index]!.claim), loaded, settle, stopped);
    }
    return results;
  }

  /**
   * One trigger's chain. A batch that throws is recorded as a failed attempt (retried after
   * its backoff, or dead-lettered) and the chain goes on from the last good state, as rounds
   * of one batch each would; a batch whose commit is refused (the base moved, the lease was
   * lost) ends the chain, and the batches not yet fitted are unclaimed; so are they when this
   * process closes. On fit threads a chain runs in slices: several fits per message to the
   * thread, each result reported (and committed) as it comes.
   */
  private async runChain(
    trigger: Trigger, claims: readonly Claim[], batches: Promise<Map<string, Batch>>,
    settle: readonly { resolve: (r: FitResult) => void; reject: (e: unknown) => void }[], stopped?: () => boolean,
  ): Promise<void> {
    const { db, store, log, executor, app } = this.deps;
    const live = new Set(claims.map((c) => c.runId));
    const heartbeat = setInterval(() => {
      void db.tx(() => renewLeases([...live], this.owner, new Date(Date.now() + this.leaseMs))).catch(() => undefined);
    }, Math.max(1000, this.leaseMs / 3));
    heartbeat.unref();
    const commits: Promise<void>[] = [];
    // Why the chain stops early (set by commits that settle behind it, too).
    const stop: { why: "superseded" | "lost" | "stopped" | null } = { why: null };
    const unclaim: Claim[] = [];
    let base: VersionInfo | null = null;
    let state: State | null = null;
    // The newest version number: a fit that commits here produces the next one.
    let newest = claims[0]!.latestVersion;
    const routeOf = (claim: Claim) => trigger.routes.find((r) => r.name === claim.route)!;

    /** A fit failed: an attempt, retried after its backoff or dead-lettered; the chain goes on. */
    const failed = async (k: number, error: unknown, durationMs: number) => {
      const claim = claims[k]!;
      live.delete(claim.runId);
      const err = error instanceof FitError ? error : new FitError((error as Error)?.message ?? String(error), (error as Error)?.stack ?? null);
      const result = await db.tx(() =>
        failRun({
          runId: claim.runId, owner: this.owner, error: err.message, stack: err.fitStack, attempts: claim.attempts,
          maxAttempts: trigger.retry.maxAttempts, backoffMs: backoff(trigger, claim.attempts), now: new Date(), durationMs, baseVersion: base?.version ?? claim.baseVersion,
          outcome: err instanceof FitTimeoutError ? "timeout" : "failed", logs: err.logs,
        }),
      );
      const what = result === "dead" ? "fit dead-lettered" : result === "lost" ? "fit failed after its lease was lost; the new owner records it" : "fit failed; will retry";
      log.warn({ trigger: trigger.name, route: claim.route, run: claim.runId, attempt: claim.attempts, err: err.message }, what);
      settle[k]!.resolve({ kind: "failed", runId: claim.runId, dead: result === "dead", error: err.message });
    };

    /** A fit succeeded: its commit goes out; the next fit builds on the version it will make. */
    const succeeded = (k: number, outcome: FitOutcome, durationMs: number) => {
      const claim = claims[k]!;
      if (stop.why) {
        // Its chain can no longer commit (an earlier batch lost its base or lease).
        unclaim.push(claim);
        return;
      }
      const { patch } = outcome;
      const out = settle[k]!;
      // Only scheduled runs may commit no version: a batch of rows always leaves its trace.
      const unchanged = claim.reason === "schedule" && Object.keys(patch).length === 0;
      commits.push(this.commit({ runId: claim.runId, trigger: trigger.name, base: base!, patch, metrics: outcome.metrics, logs: outcome.logs ?? null, durationMs, unchanged }).then(
        (committed) => {
          live.delete(claim.runId);
          if (committed.kind === "unchanged") {
            out.resolve({ kind: "unchanged", runId: claim.runId });
            return;
          }
          if (committed.kind === "committed") {
            this.deps.onCommitted(trigger.name, committed.version, patch, committed.activeMoved);
            out.resolve({ kind: "committed", runId: claim.runId, version: committed.version, patch });
            return;
          }
          stop.why ??= committed.kind === "superseded" ? "superseded" : "lost";
          out.resolve(committed.kind === "superseded" ? { kind: "superseded", runId: claim.runId } : { kind: "duplicate", runId: claim.runId });
        },
        (error: unknown) => {
          live.delete(claim.runId);
          stop.why ??= "lost";
          out.reject(error);
        },
      ));
      if (unchanged) return;
      const manifest = nextManifest(base!.manifest, patch);
      base = {
        trigger: trigger.name, version: ++newest, parent: base!.version, fitRunId: claim.runId, manifest,
        size: manifestSize(manifest), checksum: manifestChecksum(manifest), createdAt: new Date(), collectedAt: null, schema: base!.schema,
      };
      state = store.applied(state!, patch);
    };

    let i = 0; // the first claim without a result
    try {
      while (i < claims.length) {
        if (stop.why || (i > 0 && stopped?.())) break;
        let loaded: Map<string, Batch>;
        try {
          loaded = await batches;
          if (!base || !state) ({ info: base, state } = await store.load(trigger.name, claims[i]!.baseVersion));
        } catch (error) {
          // No rows or no base, no chain: this batch fails, the rest wait for another claim.
          await failed(i, error, 0);
          i++;
          stop.why = "stopped";
          break;
        }
        const task = (claim: Claim): FitTask => {
          const batch = loaded.get(claim.runId)!;
          return {
            appModule: app.module, appName: app.name, trigger: trigger.name, route: claim.route,
            version: base!.version, state: state!, buffers: bufferKeys(state!), rows: batch.rows, params: claim.params, inferences: batch.inferences, reason: claim.reason,
          };
        };
        const from = i;
        const results = new Results();
        let at = performance.now();
        this.executing++;
        try {
          if (executor.runSlice && i + 1 < claims.length) {
            const rest = claims.slice(i + 1).map((c) => {
              const { route, rows, params, inferences, reason } = task(c);
              return { route, rows, params, inferences, reason };
            });
            const limits = claims.slice(i).map((c) => ({ maxDurationMs: routeOf(c).maxDurationMs }));
            executor.runSlice(task(claims[i]!), rest, newest, limits, (k, r) => results.push(from + k, r)).then(() => results.end(), (e: unknown) => results.end(e));
          } else {
            executor.run(task(claims[i]!), { maxDurationMs: routeOf(claims[i]!).maxDurationMs }).then(
              (outcome) => (results.push(from, { ok: true, outcome }), results.end()),
              (error: unknown) => (error instanceof FitAbortedError ? results.end(error) : (results.push(from, { ok: false, error: error as FitError }), results.end())),
            );
          }
          for (;;) {
            const next = await results.next();
            const durationMs = performance.now() - at;
            at = performance.now();
            if ("end" in next) {
              if (next.error === undefined) break;
              // The fit in flight did not finish: timed out, its thread died, or this process closes.
              if (next.error instanceof FitAbortedError) {
                const claim = claims[i]!;
                live.delete(claim.runId);
                await db.tx(() => releaseRuns([claim.runId], this.owner));
                log.info({ trigger: trigger.name, route: claim.route, run: claim.runId }, "fit stopped by close; run back in the queue");
                settle[i]!.resolve({ kind: "released", runId: claim.runId });
                stop.why = "stopped";
              } else {
                await failed(i, next.error, durationMs);
              }
              i++;
              break;
            }
            if (next.result.ok) succeeded(next.index, next.result.outcome, durationMs);
            else await failed(next.index, next.result.error, durationMs);
            i = next.index + 1;
          }
        } finally {
          this.executing--;
        }
      }
      // The batches not fitted: the claim is undone, their rows are pending again (only runs
      // still ours: a run another process took over is left to it).
      const rest = [...unclaim, ...claims.slice(i)];
      if (rest.length) {
        await db.tx(() => unclaimRuns(rest.map((c) => c.runId), this.owner));
        for (const c of rest) settle[claims.indexOf(c)]!.resolve({ kind: "none" });
      }
      await Promise.all(commits);
    } catch (error) {
      for (let k = i; k < claims.length; k++) settle[k]!.reject(error);
      await Promise.allSettled(commits);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Group commit: fits that finish while a commit is in flight go together in the next one,
   * so a round of many triggers costs one transaction while a slow fit delays nobody else.
   */
  private commit(fit: FitCommit): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ fit, resolve, reject });
      if (!this.committing) void this.commitWaiting();
    });
  }

  private async commitWaiting(): Promise<void> {
    const { db } = this.deps;
    this.committing = true;
    try {
      let first = true;
      while (this.waiting.length) {
        // Fits of one round finish close together: give the rest a moment to join the first
        // commit. Later ones wait for nothing: fits that finished meanwhile are the group.
        const until = Date.now() + GROUP_WAIT_MS;
        while (first && this.executing > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 1));
        first = false;
        const group = this.waiting.splice(0, MAX_GROUP);
        try {
          const outcomes = await db.tx(() => commitFits(db.provider, this.owner, new Date(), group.map((g) => g.fit)));
          group.forEach((g, i) => g.resolve(outcomes[i]!));
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          // One fit's failure must not fail the others: commit them one by one.
          for (const g of group) {
            try {
              g.resolve((await db.tx(() => commitFits(db.provider, this.owner, new Date(), [g.fit])))[0]!);
            } catch (single) {
              g.reject(single);
            }
          }
        }
      }
    } finally {
      this.committing = false;
    }
  }
}
