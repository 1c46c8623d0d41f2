import os from "node:os";
import { Worker } from "node:worker_threads";
import type { App } from "./app.ts";
import { executeFit, type FitOutcome, type FitTask } from "./fit-task.ts";
import type { Logger } from "./logger.ts";
import { logsOf, type FitLogs } from "./fit-log.ts";

export class FitError extends Error {
  /** `logs`: what the fit logged before it failed (none when it timed out or its thread died). */
  constructor(message: string, readonly fitStack: string | null, readonly logs: FitLogs | null = null) {
    super(message);
    this.name = "FitError";
  }
}

/** The fit ran past its route's maxDurationMs: an attempt that failed. */
export class FitTimeoutError extends FitError {
  constructor(readonly limitMs: number, how: string) {
    super(`fit timed out after ${limitMs} ms (maxDurationMs); ${how}`, null);
    this.name = "FitTimeoutError";
  }
}

/** The executor was closed under a running fit: not the fit's fault, so no attempt is spent. */
export class FitAbortedError extends Error {
  constructor() {
    super("fit stopped because the executor closed");
    this.name = "FitAbortedError";
  }
}

export interface FitLimits {
  maxDurationMs: number;
}

/** One fit of a slice after its first: the first's task with these fields replaced. */
export type FitStepTask = Pick<FitTask, "route" | "rows" | "params" | "inferences" | "reason">;

export type FitStepResult = { ok: true; outcome: FitOutcome } | { ok: false; error: FitError };

export interface FitExecutor {
  run(task: FitTask, limits: FitLimits): Promise<FitOutcome>;
  /**
   * Runs fits one after another in one go (one message each way per fit saved): `task`, then
   * each of `steps` on the state the last successful fit produced (a fit that throws leaves it
   * as it was, and `newest` + 1 is the version number the next success makes). Reports each
   * result in order through onStep; resolves with how many ran (the rest were not started: the
   * slice used up its time). Rejects (timeout, thread death, close) for the first fit not
   * reported. Optional: executors without it run fits one by one.
   */
  runSlice?(task: FitTask, steps: readonly FitStepTask[], newest: number, limits: readonly FitLimits[], onStep: (index: number, result: FitStepResult) => void): Promise<number>;
  /** Stops every fit still running or waiting (they reject with FitAbortedError). */
  close(): Promise<void>;
}

/**
 * Runs fits on the calling thread: for apps without a module URL (scripts, quick tests).
 * A thread can't be stopped from itself, so the time limit only takes effect when the fit
 * yields (awaits): the run is then recorded as timed out and the fit's late result ignored.
 * A synchronous fit that never returns blocks this whole process; use threads for those.
 */
export class InlineFitExecutor implements FitExecutor {
  private readonly running = new Set<(error: Error) => void>();

  constructor(private readonly app: App, private readonly log: Logger) {}

  run(task: FitTask, limits: FitLimits): Promise<FitOutcome> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.running.delete(abort);
        fn();
      };
      const abort = (error: Error) => settle(() => reject(error));
      const timer = setTimeout(() => abort(new FitTimeoutError(limits.maxDurationMs, "its result will be ignored")), limits.maxDurationMs);
      timer.unref();
      this.running.add(abort);
      // The task's state is the served version's memory: the fit must get copies.
      executeFit(this.app, task, this.log, true).then(
        (outcome) => settle(() => resolve(outcome)),
        (error: unknown) => {
          const err = error as Error;
          abort(new FitError(err?.message ?? String(error), err?.stack ?? null, logsOf(error)));
        },
      );
    });
  }

  async close(): Promise<void> {
    for (const abort of [...this.running]) abort(new FitAbortedError());
  }
}

interface Job {
  id: number;
  task: FitTask;
  /** A slice's further fits (runSlice), with their time limits after the task's own. */
  steps?: readonly FitStepTask[];
  newest?: number;
  limits: readonly FitLimits[];
  onStep?: (index: number, result: FitStepResult) => void;
  resolve: (value: FitOutcome & number) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

interface WorkerReply {
  id: number;
  ok?: boolean;
  outcome?: FitOutcome;
  error?: { message: string; stack: string | null; logs?: FitLogs | null };
  /** A slice's fit `step` finished (ok/outcome/error as for a single fit). */
  step?: number;
  /** A slice ended after `end` fits. */
  end?: number;
}

/** A slice hands its thread back after this long (then the fit running finishes it): fair to other triggers. */
export const SLICE_MS = 10;
/** Most fits sent in one slice (each carries its rows). */
export const SLICE_FITS = 16;

interface Slot {
  worker: Worker;
  job: Job | null;
}

/** Default pool size: at least two threads, so one slow fit never leaves others without one. */
export function defaultFitThreads(): number {
  return Math.max(2, Math.min(4, os.availableParallelism() - 1));
}

/**
 * A small pool of worker threads, so a CPU-bound fit never delays infer on the main thread.
 * Fits wait for a thread in arrival order; each trigger has at most one fit in flight, so that
 * order is round-robin between triggers. A fit past its time limit has its thread terminated
 * (and replaced on demand); so does a fit when the pool closes. A thread that dies fails its fit.
 */
export class ThreadFitExecutor implements FitExecutor {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size = defaultFitThreads()) {
    if (!Number.isInteger(size) || size < 1) throw new TypeError(`fitThreads must be a positive integer, got ${size}`);
  }

  private spawn(): Slot {
    const worker = new Worker(new URL("./fit-worker-entry.mjs", import.meta.url));
    worker.unref();
    const slot: Slot = { worker, job: null };
    worker.on("message", (message: WorkerReply) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      if (message.step !== undefined) {
        job.onStep!(message.step, message.ok ? { ok: true, outcome: message.outcome! } : { ok: false, error: new FitError(message.error!.message, message.error!.stack, message.error!.logs ?? null) });
        // The next fit of the slice has its own time limit, from now.
        this.arm(slot, job, message.step + 1);
        return;
      }
      clearTimeout(job.timer);
      slot.job = null;
      worker.unref();
      if (message.end !== undefined) job.resolve(message.end as FitOutcome & number);
      else if (message.ok) job.resolve(message.outcome! as FitOutcome & number);
      else job.reject(new FitError(message.error!.message, message.error!.stack, message.error!.logs ?? null));
      this.pump();
    });
    const onDeath = (error: Error) => this.retire(slot, new FitError(`fit worker thread died: ${error.message}`, error.stack ?? null));
    worker.on("error", onDeath);
    worker.on("exit", (code) => onDeath(new Error(`exit code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** Takes a slot out of the pool, failing its fit (if any) with `error`. */
  private retire(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    const job = slot.job;
    slot.job = null;
    if (job) {
      clearTimeout(job.timer);
      job.reject(error);
    }
    if (!this.closed) this.pump();
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      job.id = this.nextId++;
      slot.job = job;
      this.arm(slot, job, 0);
      slot.worker.ref();
      slot.worker.postMessage(job.steps ? { id: job.id, task: job.task, steps: job.steps, newest: job.newest, sliceMs: SLICE_MS } : { id: job.id, task: job.task });
    }
  }

  /** The time limit of the job's fit `index` (0: its task), starting now. */
  private arm(slot: Slot, job: Job, index: number): void {
    clearTimeout(job.timer);
    const limit = job.limits[Math.min(index, job.limits.length - 1)]!.maxDurationMs;
    job.timer = setTimeout(() => {
      this.retire(slot, new FitTimeoutError(limit, "its worker thread was terminated"));
      void slot.worker.terminate();
    }, limit);
    job.timer.unref();
  }

  /**
   * Starts every thread of the pool and loads the app in each now, so no fit waits for that:
   * a thread spawned on demand takes its first fit at once, which then waits for the app to
   * load (seconds on a busy machine) while the fits of its chain queue behind it.
   */
  warm(appModule: string, appName: string): Promise<void> {
    const loading: Promise<void>[] = [];
    while (!this.closed && this.slots.length < this.size) {
      const { worker } = this.spawn();
      // Settles when the thread has loaded the app (or failed to: the first fit reports that).
      loading.push(new Promise<void>((resolve) => {
        const done = () => {
          worker.off("message", onMessage);
          resolve();
        };
        const onMessage = (message: { warmed?: boolean }) => message.warmed && done();
        worker.on("message", onMessage);
        worker.once("exit", done);
      }));
      worker.postMessage({ warm: { module: appModule, name: appName } });
    }
    return Promise.all(loading).then(() => undefined);
  }

  run(task: FitTask, limits: FitLimits): Promise<FitOutcome> {
    if (this.closed) return Promise.reject(new FitAbortedError());
    return new Promise<FitOutcome>((resolve, reject) => {
      this.queue.push({ id: 0, task, limits: [limits], resolve, reject });
      this.pump();
    });
  }

  runSlice(task: FitTask, steps: readonly FitStepTask[], newest: number, limits: readonly FitLimits[], onStep: (index: number, result: FitStepResult) => void): Promise<number> {
    if (this.closed) return Promise.reject(new FitAbortedError());
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ id: 0, task, steps: steps.slice(0, SLICE_FITS - 1), newest, limits, onStep, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new FitAbortedError());
    const slots = [...this.slots];
    for (const slot of slots) this.retire(slot, new FitAbortedError());
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
