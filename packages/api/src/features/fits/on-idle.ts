// `fits.onIdle`: tells a client when a trigger's fits (or all of them) have nothing running,
// pending or waiting for a retry, from the database, so every process's fits count. It yields
// once at the start if idle already, then each time a busy spell ends: seen busy by a read, or a
// version committed meanwhile (a fit shorter than the poll interval is never seen running).
import type { FitActivity, Motion, TriggerFitActivity } from "@motion/engine";
import { waitForStateChange } from "../../lib/state-wake.ts";

/**
 * One read of the fits' activity shared by every subscriber that wakes at about the same time
 * (a commit wakes them all at once): a read started at or after `since` is reused.
 */
const latest = new WeakMap<Motion, { startedAt: number; read: Promise<FitActivity> }>();
function activitySince(motion: Motion, since: number): Promise<FitActivity> {
  const hit = latest.get(motion);
  if (hit && hit.startedAt >= since) return hit.read;
  const entry = { startedAt: performance.now(), read: motion.fitActivity() };
  latest.set(motion, entry);
  entry.read.catch(() => latest.get(motion) === entry && latest.delete(motion));
  return entry.read;
}
/** A poll may take a read a little older than itself: polls are the safety net, not the signal. */
const POLL_SHARE_MS = 250;

export interface IdleEvent {
  idle: true;
  at: Date;
  /** The watched triggers' activity at that moment. */
  triggers: TriggerFitActivity[];
}

export async function* idleMoments(motion: Motion, trigger: string | undefined, signal: AbortSignal | undefined, pollMs: number): AsyncGenerator<IdleEvent> {
  let wasIdle = false;
  let since = performance.now();
  while (!signal?.aborted) {
    const activity = await activitySince(motion, since);
    const watched = trigger === undefined ? activity.triggers : activity.triggers.filter((t) => t.trigger === trigger);
    const idle = watched.every((t) => t.idle);
    if (idle && !wasIdle) yield { idle: true, at: new Date(), triggers: watched };
    wasIdle = idle;
    // A commit wakes it at once; rows added (pending) and failures are seen by the poll.
    const wake = await waitForStateChange(motion, trigger ?? null, pollMs, signal);
    if (wake === "change") wasIdle = false;
    since = wake === "poll" ? performance.now() - POLL_SHARE_MS : performance.now();
  }
}
