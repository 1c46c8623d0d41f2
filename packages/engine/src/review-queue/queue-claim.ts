// "Next item" in a named queue, with the same LabelLock semantics as the trigger-wide review
// queue: one live lock per inference, taken by a conditional upsert (atomic on SQLite and
// PostgreSQL), so two labelers working a queue at once never get the same item.
import { all, get, run, type Query } from "@motion/db";

export interface QueueClaim {
  queueId: string;
  trigger: string;
  holder: string;
  holderName: string;
  now: Date;
  expiresAt: Date;
}

/** The inference row now locked by `holder` in this queue, or undefined when no pending item is free. */
export function* claimQueueItem(c: QueueClaim): Query<Record<string, unknown> | undefined> {
  // 1. The item this labeler already holds in this queue (a reload must not hand out a second one).
  const held = yield* get<Record<string, unknown>>(
    `SELECT i.* FROM "LabelLock" l JOIN "ReviewQueueItem" q ON q."inferenceId" = l."inferenceId" AND q."queueId" = ? AND q."status" = 'pending'
     JOIN "Inference" i ON i."id" = l."inferenceId" WHERE l."holder" = ? AND l."expiresAt" > ? ORDER BY q."position" LIMIT 1`,
    [c.queueId, c.holder, c.now],
  );
  if (held) {
    yield* run(`UPDATE "LabelLock" SET "expiresAt" = ? WHERE "inferenceId" = ? AND "holder" = ?`, [c.expiresAt, held.id, c.holder]);
    return held;
  }
  // 2. One item at a time per labeler and trigger: let go of anything else held.
  yield* run(`DELETE FROM "LabelLock" WHERE "holder" = ? AND "trigger" = ?`, [c.holder, c.trigger]);
  for (let round = 0; round < 5; round++) {
    const candidates = yield* all<Record<string, unknown>>(
      `SELECT i.* FROM "ReviewQueueItem" q JOIN "Inference" i ON i."id" = q."inferenceId"
       WHERE q."queueId" = ? AND q."status" = 'pending' AND NOT EXISTS (SELECT 1 FROM "LabelLock" l WHERE l."inferenceId" = q."inferenceId" AND l."expiresAt" > ?)
       ORDER BY q."position" LIMIT 10`,
      [c.queueId, c.now],
    );
    if (candidates.length === 0) return undefined;
    for (const candidate of candidates) {
      const taken = yield* run(
        `INSERT INTO "LabelLock" ("inferenceId", "trigger", "holder", "holderName", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?) ` +
          `ON CONFLICT ("inferenceId") DO UPDATE SET "holder" = excluded."holder", "holderName" = excluded."holderName", "expiresAt" = excluded."expiresAt", "createdAt" = excluded."createdAt" ` +
          `WHERE "LabelLock"."expiresAt" <= ?`,
        [candidate.id, c.trigger, c.holder, c.holderName, c.expiresAt, c.now, c.now],
      );
      if (taken > 0) return candidate;
    }
  }
  return undefined;
}

/** Lets go of the caller's own lock on an item (after skipping it). */
export function* releaseOwnLock(inferenceId: string, holder: string): Query<void> {
  yield* run(`DELETE FROM "LabelLock" WHERE "inferenceId" = ? AND "holder" = ?`, [inferenceId, holder]);
}
