import type { Database } from "@motion/db";
import type { App } from "./app.ts";
import { backoff, ownerIsDead, type FitRunner } from "./fit-runner.ts";
import { recoverRuns } from "./fit-store.ts";
import { fitActivity } from "./fit-activity.ts";
import type { Trigger } from "./trigger.ts";

export interface DrainOptions {
  /** Fit partial batches now instead of waiting for batchSize or maxWaitMs (flush). */
  force?: boolean;
  stopped?: () => boolean;
}

/**
 * Runs every ready batch of these triggers until none is ready. Each round claims the next
 * batches (a chain) of every trigger not already fitting here in one transaction; when a
 * trigger's chain is done, the next round claims again, so a slow fit delays only its own
 * trigger.
 * Returns when the next batch can become ready (a partial batch ageing, a retry's backoff),
 * so a scheduler can wake up then. Shared by the embedded and the queue-backed schedulers.
 */
export async function drainTriggers(db: Database, app: App, runner: FitRunner, names: readonly string[], options: DrainOptions = {}): Promise<{ ran: number; wakeAt: number | null }> {
  const triggers = names.map((n) => app.trigger(n)).filter((t): t is Trigger => !!t && t.routes.some((r) => r.fit));
  if (triggers.length === 0) return { ran: 0, wakeAt: null };
  // Runs of a worker that died mid-fit go back to the queue here, not only when some
  // process restarts: their lease expired, or their process is gone.
  if (runner.recoveryDue()) {
    await db.tx(() => recoverRuns(new Date(), ownerIsDead, (t, attempts) => {
      const owner = app.trigger(t);
      return owner ? backoff(owner, attempts) : 0;
    }));
  }
  const fitting = new Map<string, Promise<void>>();
  let ran = 0;
  let wakeAt: number | null = null;
  let failure: { error: unknown } | null = null;
  for (;;) {
    if (options.stopped?.() || failure) break;
    const free = triggers.filter((t) => !fitting.has(t.name));
    if (free.length) {
      const outcome = await runner.claim(free, options.force ?? false, options.stopped);
      // Only a round over every trigger knows every wake-up time; it is the last one.
      wakeAt = outcome.wakeAt;
      const chains = new Map<string, Promise<void>[]>();
      runner.run(outcome.claims, options.stopped).forEach((result, i) => {
        const trigger = outcome.claims[i]!.trigger;
        const chain = chains.get(trigger) ?? [];
        chain.push(result.then(
          (r) => void (r.kind !== "none" && ran++),
          (error: unknown) => void (failure ??= { error }),
        ));
        chains.set(trigger, chain);
      });
      // A trigger is free again when its whole chain has committed (or failed).
      for (const [trigger, chain] of chains) fitting.set(trigger, Promise.all(chain).then(() => void fitting.delete(trigger)));
    }
    if (fitting.size === 0) break;
    await Promise.race(fitting.values());
    // Fits committed together settle together: let them all leave before claiming again.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(fitting.values());
  if (failure) throw (failure as { error: unknown }).error;
  return { ran, wakeAt: options.stopped?.() ? null : wakeAt };
}

/** Runs every ready batch of one trigger's fit routes, one at a time, until none is ready. */
export function drainTrigger(db: Database, app: App, runner: FitRunner, name: string, options: DrainOptions = {}): Promise<{ ran: number; wakeAt: number | null }> {
  return drainTriggers(db, app, runner, [name], options);
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
