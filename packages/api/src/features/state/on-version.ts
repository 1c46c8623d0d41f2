// `state.onVersion`: every move of a trigger's `active` / `latest` aliases as it happens. A
// fit's new version moves `latest` (and `active` unless pinned); a rollback moves `active`.
// Each event is tracked by its AliasEvent id, so a client that reconnects with Last-Event-ID
// (httpSubscriptionLink and EventSource do) gets what it missed.
import { tracked } from "@trpc/server";
import { aliasMoveIdAt, type Motion } from "@motion/engine";
import { waitForStateChange } from "../../lib/state-wake.ts";

/** Ids are time-ordered, but two processes' moves may commit out of id order: look back this far. */
const LOOKBACK_MS = 10_000;
const PAGE = 200;

const readMoves = (motion: Motion, trigger: string, after: string) => motion.aliasMoves(trigger, after, PAGE);

export async function* aliasMoves(motion: Motion, trigger: string, lastEventId: string | null | undefined, signal: AbortSignal | undefined, pollMs: number) {
  const seen = new Set<string>();
  let cursor = lastEventId ?? "";
  if (!lastEventId) {
    // Only moves from now on: the recent ones count as seen.
    for (;;) {
      const moves = await readMoves(motion, trigger, cursor);
      for (const m of moves) seen.add(m.id);
      if (moves.length) cursor = moves[moves.length - 1]!.id;
      if (moves.length < PAGE) break;
    }
  }
  // Resuming: nothing at or before the client's last event, however recent.
  const resumedAt = lastEventId ?? "";
  while (!signal?.aborted) {
    const floor = aliasMoveIdAt(Date.now() - LOOKBACK_MS);
    let after = cursor < floor ? cursor : floor;
    if (after < resumedAt) after = resumedAt;
    for (;;) {
      const moves = await readMoves(motion, trigger, after);
      for (const m of moves) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        if (m.id > cursor) cursor = m.id;
        yield tracked(m.id, m);
      }
      if (moves.length < PAGE) break;
      after = moves[moves.length - 1]!.id;
    }
    for (const id of seen) if (id < floor) seen.delete(id);
    await waitForStateChange(motion, trigger, pollMs, signal);
  }
}
