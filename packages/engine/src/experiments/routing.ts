import { createHash } from "node:crypto";

/**
 * Where a routing key falls in [0, 1): the first 32 bits of sha1(trigger, key). Stable across
 * processes and restarts, so a caller stays on the same side of a canary split as long as the
 * share does not change; the trigger is part of the hash so two triggers' canaries split
 * callers independently.
 */
export function routingPoint(trigger: string, key: string): number {
  const digest = createHash("sha1").update(trigger).update("\u0000").update(key).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Whether `key` is served by the candidate under a canary of `share` (0..1). */
export function inCanary(trigger: string, key: string, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  return routingPoint(trigger, key) < share;
}

/**
 * Whether the row is in a shadow sample of `share`: a point of the row's id (not its routing
 * key, so one caller's rows are sampled like anyone's), stable across processes and retries of
 * the same rows, so which rows were shadowed can be recomputed.
 */
export function inShadowSample(trigger: string, rowId: string, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  return routingPoint(`shadow\u0000${trigger}`, rowId) < share;
}
