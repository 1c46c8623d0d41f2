import { insertRows, newId, selectAll, storage, type Database, type RowValues } from "@motion/db";
import type { InferContext } from "../trigger.ts";
import type { Logger } from "../logger.ts";

/** One sampled row to infer again on the candidate version, after the caller has its answer. */
export interface ShadowJob {
  trigger: string;
  route: string;
  inferenceId: string;
  /** The caller's output as stored (JSON text), to mark rows where the two answers differ. */
  primaryOutput: string | null;
  baseVersion: number;
  paramsHash: string;
  infer: (ctx: InferContext<any, any>) => unknown;
  ctx: InferContext<any, any>;
}

export interface ShadowStats {
  done: number;
  /** Jobs dropped because shadow work fell behind (the oldest go first). */
  dropped: number;
  /** Shadow answers not stored because their row was deleted meanwhile. */
  deleted: number;
  queued: number;
}

/**
 * Shadow inferences run here, never in `add`: `add` only enqueues (O(1) per sampled row) once
 * its transaction committed, and the queue drains on later event-loop turns (setImmediate), a
 * bounded batch per turn written in one INSERT. The queue is bounded too: when shadow work falls
 * behind, the oldest jobs are dropped (counted), so shadowing never grows memory or delays
 * callers without limit.
 */
const SHADOW_COLUMNS = ["id", "inferenceId", "rowId", "trigger", "route", "stateVersion", "baseVersion", "paramsHash", "output", "error", "latencyMs", "differs", "createdAt"] as const;

export class ShadowQueue {
  private readonly jobs: ShadowJob[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;
  private closed = false;
  readonly stats: ShadowStats = { done: 0, dropped: 0, deleted: 0, queued: 0 };

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly maxQueued = 10_000,
    private readonly batch = 64,
  ) {}

  push(job: ShadowJob): void {
    if (this.closed) return;
    this.jobs.push(job);
    if (this.jobs.length > this.maxQueued) {
      this.jobs.shift();
      this.stats.dropped++;
    }
    this.stats.queued = this.jobs.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.drainOnce()
        .catch((error) => this.log.error({ err: (error as Error).message }, "shadow inferences failed"))
        .finally(() => {
          this.running = null;
          if (this.jobs.length && !this.closed) this.schedule();
        });
    });
  }

  private async drainOnce(): Promise<void> {
    const jobs = this.jobs.splice(0, this.batch);
    this.stats.queued = this.jobs.length;
    if (!jobs.length) return;
    const rows: RowValues<"ShadowInference", typeof SHADOW_COLUMNS>[] = [];
    const now = new Date();
    for (const job of jobs) {
      const started = performance.now();
      let output: unknown = null;
      let error: string | null = null;
      try {
        output = await job.infer(job.ctx);
        if (output === undefined) output = null;
      } catch (e) {
        error = (e as Error)?.message ?? String(e);
      }
      const latencyMs = performance.now() - started;
      let json: string | null = null;
      if (error === null) {
        try {
          json = JSON.stringify(output) ?? "null";
        } catch (e) {
          error = `infer output is not JSON-serialisable: ${(e as Error).message}`;
        }
      }
      rows.push([
        newId(now.getTime()), job.inferenceId, job.ctx.row.id, job.trigger, job.route, job.ctx.version, job.baseVersion, job.paramsHash,
        json, error, latencyMs, error !== null || json !== job.primaryOutput, now,
      ]);
    }
    const pg = this.db.provider === "postgresql";
    const stored = await this.db.tx(function* () {
      // A row deleted (a data-removal request) since its add takes its shadow answers with it:
      // store only answers whose inference is still there. On PostgreSQL the key-share locks
      // hold off a deletion until this commits; the deletion then removes these shadow rows
      // (it deletes inferences before their shadow rows), or, if it came first, they are skipped.
      const ids = [...new Set(rows.map((r) => r[1]))].sort();
      const live = storage.selectFrom("Inference").select("id").where("id", "in", ids).orderBy("id");
      const alive = new Set((yield* selectAll(pg ? live.forKeyShare() : live)).map((r) => r.id));
      const kept = rows.filter((r) => alive.has(r[1]));
      yield* insertRows("ShadowInference", SHADOW_COLUMNS, kept);
      return kept.length;
    });
    this.stats.done += stored;
    this.stats.deleted += rows.length - stored;
  }

  /** Resolves when every queued job is written (tests, close). */
  async idle(): Promise<void> {
    while (this.jobs.length || this.running || this.scheduled) {
      if (this.running) await this.running;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
  }
}
