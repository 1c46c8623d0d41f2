// Review-queue locks: a labeler who takes an item from the queue holds it for a while, so two
// labelers never label the same item at once. A label from anyone else (browse mode, the
// Inferences page) waits until the holder is done or the lock expires.
import { get, run, toDate, type Query } from "@motion/db";
import { ConflictError } from "./errors.ts";

/** Refuses when someone other than `holder` holds a live lock on the inference. */
export function* assertNotHeldByOther(inferenceId: string, holder: string, now: Date): Query<void> {
  const lock = yield* get<{ holder: string; expiresAt: unknown }>(`SELECT "holder", "expiresAt" FROM "LabelLock" WHERE "inferenceId" = ? AND "expiresAt" > ?`, [inferenceId, now]);
  if (lock && lock.holder !== holder) {
    throw new ConflictError(`another labeler holds inference ${inferenceId} in their review queue until ${toDate(lock.expiresAt).toISOString()}`);
  }
}

/** A label was given: the item leaves every queue. */
export function* releaseLocks(inferenceId: string): Query<void> {
  yield* run(`DELETE FROM "LabelLock" WHERE "inferenceId" = ?`, [inferenceId]);
}
