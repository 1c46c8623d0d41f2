// The main thread's handle on drift computation: the same methods as DriftCompute, run in a
// worker thread started on first use (or in this thread when `thread` is false). A thread that
// dies fails the calls in flight and is started again by the next call; its summaries are
// rebuilt from the database as needed.
import { Worker } from "node:worker_threads";
import { DriftCompute, type Compaction, type JudgeRequest, type Judged, type LoadRequest } from "./drift-compute.ts";
import type { PartitionSummary } from "./summary.ts";

type Pending = { resolve: (value: any) => void; reject: (error: Error) => void };

export class DriftWorker {
  private worker: Worker | null = null;
  private readonly local: DriftCompute | null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(thread = true) {
    this.local = thread ? null : new DriftCompute();
  }

  private start(): Worker {
    const worker = new Worker(new URL("./drift-thread-entry.mjs", import.meta.url));
    worker.unref();
    worker.on("message", (m: { id: number; result?: unknown; error?: { message: string; stack: string | null } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.error) {
        const error = new Error(m.error.message);
        if (m.error.stack) error.stack = m.error.stack;
        p.reject(error);
      } else p.resolve(m.result);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the drift worker thread exited (code ${code})`)));
    return worker;
  }

  private call<T>(op: keyof DriftCompute, ...args: unknown[]): Promise<T> {
    if (this.local) {
      try {
        return Promise.resolve((this.local[op] as (...a: unknown[]) => T).apply(this.local, args));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.closed) return Promise.reject(new Error("the drift worker is closed"));
    const worker = (this.worker ??= this.start());
    worker.ref();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  }

  known(relation: string): Promise<Map<string, number>> {
    return this.call("known", relation);
  }

  load(request: LoadRequest): Promise<Compaction[]> {
    return this.call("load", request);
  }

  forget(relation?: string): Promise<void> {
    return this.call("forget", relation);
  }

  summary(relation: string, partition: string): Promise<{ rows: number; summary: PartitionSummary } | undefined> {
    return this.call("summary", relation, partition);
  }

  series(relation: string, partitions: readonly string[], column: string, statistic: string): Promise<[string, number][]> {
    return this.call("series", relation, partitions, column, statistic);
  }

  judge(request: JudgeRequest): Promise<Judged[]> {
    return this.call("judge", request);
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    // Referenced while it stops: an unreferenced thread's exit would not keep this process waiting for it.
    if (worker) {
      worker.ref();
      await worker.terminate();
    }
  }
}
