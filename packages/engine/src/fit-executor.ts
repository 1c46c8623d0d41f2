import os from "node:os";
import { Worker } from "node:worker_threads";
import type { App } from "./app.ts";
import { executeFit, type FitOutcome, type FitTask } from "./fit-task.ts";
import type { Logger } from "./logger.ts";

export class FitError extends Error {
  constructor(message: string, readonly fitStack: string | null) {
    super(message);
    this.name = "FitError";
  }
}

export interface FitExecutor {
  run(task: FitTask): Promise<FitOutcome>;
  close(): Promise<void>;
}

/** Runs fits on the calling thread: for apps without a module URL (scripts, quick tests). */
export class InlineFitExecutor implements FitExecutor {
  constructor(private readonly app: App, private readonly log: Logger) {}
  async run(task: FitTask): Promise<FitOutcome> {
    try {
      // The task's state is the served version's memory: the fit must get copies.
      return await executeFit(this.app, task, this.log, true);
    } catch (error) {
      const err = error as Error;
      throw new FitError(err?.message ?? String(error), err?.stack ?? null);
    }
  }
  async close(): Promise<void> {}
}

interface Pending {
  resolve: (outcome: FitOutcome) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending & { id: number } | null;
}

/**
 * A small pool of worker threads, so a CPU-bound fit never delays infer on the main thread.
 * A worker that dies fails its fit (one attempt) and is replaced.
 */
export class ThreadFitExecutor implements FitExecutor {
  private readonly slots: Slot[] = [];
  private readonly queue: { task: FitTask; pending: Pending }[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size = Math.max(1, Math.min(4, os.availableParallelism() - 1))) {}

  private spawn(): Slot {
    const worker = new Worker(new URL("./fit-worker-entry.mjs", import.meta.url));
    worker.unref();
    const slot: Slot = { worker, busy: null };
    worker.on("message", (message: { id: number; ok: boolean; outcome?: FitOutcome; error?: { message: string; stack: string | null } }) => {
      const busy = slot.busy;
      if (!busy || busy.id !== message.id) return;
      slot.busy = null;
      if (message.ok) busy.resolve(message.outcome!);
      else busy.reject(new FitError(message.error!.message, message.error!.stack));
      this.pump();
    });
    const onDeath = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const busy = slot.busy;
      slot.busy = null;
      busy?.reject(new FitError(`fit worker thread died: ${error.message}`, error.stack ?? null));
      if (!this.closed) this.pump();
    };
    worker.on("error", onDeath);
    worker.on("exit", (code) => onDeath(new Error(`exit code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const { task, pending } = this.queue.shift()!;
      const id = this.nextId++;
      slot.busy = { ...pending, id };
      slot.worker.ref();
      slot.worker.postMessage({ id, task });
      const done = () => slot!.worker.unref();
      const original = slot.busy;
      slot.busy = {
        id,
        resolve: (o) => { done(); original.resolve(o); },
        reject: (e) => { done(); original.reject(e); },
      };
    }
  }

  run(task: FitTask): Promise<FitOutcome> {
    if (this.closed) return Promise.reject(new Error("fit executor is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, pending: { resolve, reject } });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { pending } of this.queue.splice(0)) pending.reject(new Error("fit executor closed"));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
