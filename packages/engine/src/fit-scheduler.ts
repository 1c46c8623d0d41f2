import { type Database } from "@motion/db";
import type { App } from "./app.ts";
import type { FitRunner } from "./fit-runner.ts";
import { drainTrigger, fittingTriggers, fitWork } from "./fit-drain.ts";
import type { Logger } from "./logger.ts";

/**
 * Decides when fits run. The embedded implementation runs them in this process; a queue-backed
 * one (BullMQ) hands serializable jobs to worker processes. Both use FitRunner to execute.
 */
export interface FitScheduler {
  /** Rows were added that these triggers' fit routes wait for. */
  notify(triggers: Iterable<string>): void;
  /** Look at a trigger again now (after a retry, unpin or rollback). */
  kick(trigger: string): void;
  /** Resolves when every pending fit has committed or failed for good. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Runs fits in this process, one trigger at a time per trigger (serialized), batches by size or age. */
export class EmbeddedFitScheduler implements FitScheduler {
  private readonly loops = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private draining = 0;
  private closed = false;
  private readonly poller: NodeJS.Timeout | null;

  constructor(
    private readonly db: Database,
    private readonly app: App,
    private readonly runner: FitRunner,
    private readonly log: Logger,
    /** Look for work every pollMs even without local adds (rows added by other processes). */
    pollMs = 1000,
  ) {
    const fitting = fittingTriggers(app);
    this.poller = pollMs > 0 && fitting.length ? setInterval(() => this.notify(fitting), pollMs) : null;
    this.poller?.unref();
  }

  notify(triggers: Iterable<string>): void {
    for (const t of triggers) this.kick(t);
  }

  kick(trigger: string): void {
    if (this.closed) return;
    if (this.loops.has(trigger)) {
      this.again.add(trigger);
      return;
    }
    const timer = this.timers.get(trigger);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(trigger);
    }
    const loop = this.loop(trigger)
      .catch((error) => this.log.error({ trigger, err: (error as Error).message }, "fit loop error"))
      .finally(() => {
        this.loops.delete(trigger);
        if (this.again.delete(trigger)) this.kick(trigger);
      });
    this.loops.set(trigger, loop);
  }

  /** Runs every ready batch of the trigger, then sleeps until the next one can be ready. */
  private async loop(name: string): Promise<void> {
    let wakeAt: number | null = null;
    do {
      this.again.delete(name);
      ({ wakeAt } = await drainTrigger(this.db, this.app, this.runner, name, { force: this.draining > 0, stopped: () => this.closed }));
    } while (this.again.has(name) && !this.closed);
    if (wakeAt !== null && !this.closed) {
      const timer = setTimeout(() => {
        this.timers.delete(name);
        this.kick(name);
      }, Math.max(0, wakeAt - Date.now()));
      timer.unref();
      this.timers.set(name, timer);
    }
  }

  async flush(): Promise<void> {
    this.draining++;
    try {
      for (;;) {
        this.notify(fittingTriggers(this.app));
        await Promise.all(this.loops.values());
        const work = await fitWork(this.db, this.app);
        if (!work.busy && this.loops.size === 0) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(5, (work.nextRetryAt ?? Date.now()) - Date.now()))));
      }
    } finally {
      this.draining--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.loops.values());
  }
}
