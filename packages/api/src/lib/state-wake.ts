// Waits until a trigger's state may have changed (the engine's signal), a poll interval passes
// (a safety net: SQLite hears other processes' new versions only by reading, and a NOTIFY can
// be lost), or the subscription is aborted. Subscriptions re-read the database after each wake.
import type { Motion } from "@motion/engine";

export type Wake = "change" | "poll" | "abort";

export function waitForStateChange(motion: Motion, trigger: string | null, pollMs: number, signal: AbortSignal | undefined): Promise<Wake> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve("abort");
    const done = (why: Wake) => {
      clearTimeout(timer);
      off();
      signal?.removeEventListener("abort", aborted);
      resolve(why);
    };
    const aborted = () => done("abort");
    const timer = setTimeout(() => done("poll"), pollMs);
    const off = motion.onStateChange((t) => {
      if (trigger === null || t === trigger) done("change");
    });
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
