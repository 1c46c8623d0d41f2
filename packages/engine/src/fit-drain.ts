import type { Database } from "@motion/db";
import type { App } from "./app.ts";
import { backoff, ownerIsDead, type FitRunner } from "./fit-runner.ts";
import { pendingSummary, queuedRuns, recoverRuns } from "./fit-store.ts";
import { fitActivity } from "./fit-activity.ts";
import { readAliases } from "./state-store.ts";

export interface DrainOptions {
  /** Fit partial batches now instead of waiting for batchSize or maxWaitMs (flush). */
  force?: boolean;
  stopped?: () => boolean;
}

/**
 * Runs every ready batch of one trigger's fit routes, one at a time, until none is ready.
 * Returns when the next batch can become ready (a partial batch ageing, a retry's backoff),
 * so a scheduler can wake up then. Shared by the embedded and the queue-backed schedulers.
 */
export async function drainTrigger(db: Database, app: App, runner: FitRunner, name: string, options: DrainOptions = {}): Promise<{ ran: number; wakeAt: number | null }> {
  const trigger = app.trigger(name);
  if (!trigger) return { ran: 0, wakeAt: null };
  const fitRoutes = trigger.routes.filter((r) => r.fit);
  // Runs of a worker that died mid-fit go back to the queue here, not only when some
  // process restarts: their lease expired, or their process is gone.
  await db.tx(() => recoverRuns(new Date(), ownerIsDead, (t, attempts) => {
    const owner = app.trigger(t);
    return owner ? backoff(owner, attempts) : 0;
  }));
  let total = 0;
  for (;;) {
    let wakeAt = Infinity;
    let ran = 0;
    const now = Date.now();
    const [pending, queued, aliases] = await Promise.all([
      db.read(() => pendingSummary()),
      db.read(() => queuedRuns()),
      db.read(() => readAliases(name)),
    ]);
    if (!aliases || aliases.pinned || options.stopped?.()) return { ran: total, wakeAt: null };
    for (const route of fitRoutes) {
      const p = pending.find((x) => x.trigger === name && x.route === route.name);
      const retries = queued.filter((q) => q.trigger === name && q.route === route.name);
      let ready = retries.some((q) => !q.runAfter || q.runAfter.getTime() <= now);
      for (const q of retries) if (q.runAfter && q.runAfter.getTime() > now) wakeAt = Math.min(wakeAt, q.runAfter.getTime());
      if (p && p.unclaimed > 0) {
        const dueAt = (p.oldest?.getTime() ?? now) + route.maxWaitMs;
        if (p.unclaimed >= route.batchSize || dueAt <= now || options.force) ready = true;
        else wakeAt = Math.min(wakeAt, dueAt);
      }
      if (!ready) continue;
      const result = await runner.runNext(trigger, route);
      if (result.kind !== "none") ran++;
      if (options.stopped?.()) return { ran: total + ran, wakeAt: null };
    }
    total += ran;
    if (ran === 0) return { ran: total, wakeAt: wakeAt === Infinity ? null : wakeAt };
  }
}

/**
 * Whether any fit work of the app's triggers is waiting or running, anywhere: decided from the
 * database alone (pending rows, fit runs), never from a queue's view of its jobs.
 */
export async function fitWork(db: Database, app: App): Promise<{ busy: boolean; nextRetryAt: number | null }> {
  const activity = await fitActivity(db, app);
  const retryTimes = activity.triggers.filter((t) => !t.pinned && t.nextRetryAt).map((t) => t.nextRetryAt!.getTime());
  return { busy: !activity.idle, nextRetryAt: retryTimes.length ? Math.min(...retryTimes) : null };
}

/** Names of the app's triggers that have fit routes. */
export function fittingTriggers(app: App): string[] {
  return app.triggers.filter((t) => t.routes.some((r) => r.fit)).map((t) => t.name);
}
