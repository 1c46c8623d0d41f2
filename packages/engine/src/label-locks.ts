// Review-queue locks: a labeler who takes an item from the queue holds it for a while, so two
// labelers never label the same item at once. A label from anyone else (browse mode, the
// Inferences page) waits until the holder is done or the lock expires.
import { prepare, storage, toDate, type Query } from "@motion/db";
import { ConflictError } from "./errors.ts";

// Both run in every label's transaction: compiled once.
const LIVE_LOCK = prepare((inferenceId: string, now: Date) => storage.selectFrom("LabelLock").select(["holder", "expiresAt"]).where("inferenceId", "=", inferenceId).where("expiresAt", ">", now));
const RELEASE = prepare((inferenceId: string) => storage.deleteFrom("LabelLock").where("inferenceId", "=", inferenceId));

/** Refuses when someone other than `holder` holds a live lock on the inference. */
export function* assertNotHeldByOther(inferenceId: string, holder: string, now: Date): Query<void> {
  const lock = yield* LIVE_LOCK.first(inferenceId, now);
  if (lock && lock.holder !== holder) {
    throw new ConflictError(`another labeler holds inference ${inferenceId} in their review queue until ${toDate(lock.expiresAt).toISOString()}`);
  }
}

/** A label was given: the item leaves every queue. */
export function* releaseLocks(inferenceId: string): Query<void> {
  yield* RELEASE.run(inferenceId);
}
