// `fits.onIdle`: tells a client when a trigger's fits (or all of them) have nothing running,
// pending or waiting for a retry, from the database, so every process's fits count. It yields
// once at the start if idle already, then each time a busy spell ends: seen busy by a read, or a
// version committed meanwhile (a fit shorter than the poll interval is never seen running).
import type { Motion, TriggerFitActivity } from "@motion/engine";
import { waitForStateChange } from "../../lib/state-wake.ts";

export interface IdleEvent {
  idle: true;
  at: Date;
  /** The watched triggers' activity at that moment. */
  triggers: TriggerFitActivity[];
}

export async function* idleMoments(motion: Motion, trigger: string | undefined, signal: AbortSignal | undefined, pollMs: number): AsyncGenerator<IdleEvent> {
  let wasIdle = false;
  while (!signal?.aborted) {
    const activity = await motion.fitActivity();
    const watched = trigger === undefined ? activity.triggers : activity.triggers.filter((t) => t.trigger === trigger);
    const idle = watched.every((t) => t.idle);
    if (idle && !wasIdle) yield { idle: true, at: new Date(), triggers: watched };
    wasIdle = idle;
    // A commit wakes it at once; rows added (pending) and failures are seen by the poll.
    if ((await waitForStateChange(motion, trigger ?? null, pollMs, signal)) === "change") wasIdle = false;
  }
}
