import { type Database } from "@motion/db";
import type { App } from "./app.ts";
import type { FitRunner } from "./fit-runner.ts";
import { pendingSummary, queuedRuns, runningCount } from "./fit-store.ts";
import { readAliases } from "./state-store.ts";
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
    const fitting = app.triggers.filter((t) => t.routes.some((r) => r.fit)).map((t) => t.name);
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
    const trigger = this.app.trigger(name);
    if (!trigger) return;
    const fitRoutes = trigger.routes.filter((r) => r.fit);
    let wakeAt = Infinity;
    for (;;) {
      this.again.delete(name);
      wakeAt = Infinity;
      let ran = false;
      const now = Date.now();
      const [pending, queued, aliases] = await Promise.all([
        this.db.read(() => pendingSummary()),
        this.db.read(() => queuedRuns()),
        this.db.read(() => readAliases(name)),
      ]);
      if (!aliases || aliases.pinned || this.closed) return;
      for (const route of fitRoutes) {
        const p = pending.find((x) => x.trigger === name && x.route === route.name);
        const retries = queued.filter((q) => q.trigger === name && q.route === route.name);
        const retryDue = retries.some((q) => !q.runAfter || q.runAfter.getTime() <= now);
        for (const q of retries) if (q.runAfter) wakeAt = Math.min(wakeAt, q.runAfter.getTime());
        let ready = retryDue;
        if (p && p.unclaimed > 0) {
          const dueAt = (p.oldest?.getTime() ?? now) + route.maxWaitMs;
          if (p.unclaimed >= route.batchSize || dueAt <= now || this.draining > 0) ready = true;
          else wakeAt = Math.min(wakeAt, dueAt);
        }
        if (!ready) continue;
        const result = await this.runner.runNext(trigger, route);
        if (result.kind !== "none" && result.kind !== "held") ran = true;
        if (this.closed) return;
      }
      if (!ran && !this.again.has(name)) break;
    }
    if (wakeAt !== Infinity && !this.closed) {
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
        for (const t of this.app.triggers) if (t.routes.some((r) => r.fit)) this.kick(t.name);
        await Promise.all(this.loops.values());
        const [pending, queued, running] = await Promise.all([
          this.db.read(() => pendingSummary()),
          this.db.read(() => queuedRuns()),
          this.db.read(() => runningCount()),
        ]);
        const held = new Set<string>();
        for (const t of this.app.triggers) {
          const aliases = await this.db.read(() => readAliases(t.name));
          if (aliases?.pinned) held.add(t.name);
        }
        const known = (trigger: string) => !held.has(trigger) && this.app.trigger(trigger) !== undefined;
        const waiting = pending.filter((p) => known(p.trigger) && p.unclaimed > 0).length + queued.filter((q) => known(q.trigger)).length;
        if (waiting === 0 && running === 0 && this.loops.size === 0) return;
        const nextRetry = Math.min(...queued.map((q) => q.runAfter?.getTime() ?? Date.now()));
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(5, nextRetry - Date.now()))));
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
