// "Next item" for a labeler, with expiring LabelLocks: one live lock per inference, taken by a
// conditional upsert (atomic on SQLite and PostgreSQL), so two labelers never get the same
// item. The same steps serve the trigger-wide review queue (the next inference of a trigger
// by label state and version) and named queues (the next pending item, in queue order).
import { all, get, run, type Query } from "@motion/db";

export interface LockRequest {
  trigger: string;
  holder: string;
  holderName: string;
  now: Date;
  expiresAt: Date;
}

interface Sql {
  sql: string;
  params: unknown[];
}

/** Where items come from: the one the holder already has locked, and up to 10 free ones in order. */
interface ItemSource {
  held: Sql;
  candidates: Sql;
}

function* claim(c: LockRequest, source: ItemSource): Query<Record<string, unknown> | undefined> {
  // 1. The item this labeler already holds (a reload must not hand out a second one).
  const held = yield* get<Record<string, unknown>>(source.held.sql, source.held.params);
  if (held) {
    yield* run(`UPDATE "LabelLock" SET "expiresAt" = ? WHERE "inferenceId" = ? AND "holder" = ?`, [c.expiresAt, held.id, c.holder]);
    return held;
  }
  // 2. One item at a time per labeler and trigger: let go of anything else held.
  yield* run(`DELETE FROM "LabelLock" WHERE "holder" = ? AND "trigger" = ?`, [c.holder, c.trigger]);
  for (let round = 0; round < 5; round++) {
    const candidates = yield* all<Record<string, unknown>>(source.candidates.sql, source.candidates.params);
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

/** No live lock on inference `i`. */
const FREE = `NOT EXISTS (SELECT 1 FROM "LabelLock" l WHERE l."inferenceId" = i."id" AND l."expiresAt" > ?)`;

/**
 * The inference row now locked by `holder` in this named queue, or undefined when no pending
 * item is free. An item assigned to one labeler (ReviewQueueItem.assignee) goes only to them.
 */
export function* claimQueueItem(c: LockRequest & { queueId: string }): Query<Record<string, unknown> | undefined> {
  return yield* claim(c, {
    held: {
      sql: `SELECT i.* FROM "LabelLock" l JOIN "ReviewQueueItem" q ON q."inferenceId" = l."inferenceId" AND q."queueId" = ? AND q."status" = 'pending'
            JOIN "Inference" i ON i."id" = l."inferenceId" WHERE l."holder" = ? AND l."expiresAt" > ? ORDER BY q."position" LIMIT 1`,
      params: [c.queueId, c.holder, c.now],
    },
    candidates: {
      sql: `SELECT i.* FROM "ReviewQueueItem" q JOIN "Inference" i ON i."id" = q."inferenceId"
            WHERE q."queueId" = ? AND q."status" = 'pending' AND (q."assignee" IS NULL OR q."assignee" = ?) AND ${FREE} ORDER BY q."position" LIMIT 10`,
      params: [c.queueId, c.holderName, c.now],
    },
  });
}

export type ReviewFilter = "unlabeled" | "good" | "bad";

/**
 * The trigger-wide review queue: the oldest inference of the trigger in the label state
 * `filter` (and `version`), not in `exclude`, locked for `holder`; undefined when none is left.
 */
export function* claimReviewItem(c: LockRequest & { filter: ReviewFilter; version?: number; exclude: readonly string[] }): Query<Record<string, unknown> | undefined> {
  const label = c.filter === "unlabeled"
    ? { sql: `i."labeled" = FALSE`, params: [] as unknown[] }
    : { sql: `EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id" AND f."label" = ?)`, params: [c.filter] as unknown[] };
  const version = c.version !== undefined ? { sql: ` AND i."stateVersion" = ?`, params: [c.version] } : { sql: "", params: [] };
  const exclude = c.exclude.length ? { sql: ` AND i."id" NOT IN (${c.exclude.map(() => "?").join(", ")})`, params: [...c.exclude] } : { sql: "", params: [] };
  const where = `${label.sql}${version.sql}${exclude.sql}`;
  const whereParams = [...label.params, ...version.params, ...exclude.params];
  return yield* claim(c, {
    held: {
      sql: `SELECT i.* FROM "LabelLock" l JOIN "Inference" i ON i."id" = l."inferenceId" WHERE l."holder" = ? AND l."trigger" = ? AND l."expiresAt" > ? AND ${where} ORDER BY i."id" LIMIT 1`,
      params: [c.holder, c.trigger, c.now, ...whereParams],
    },
    candidates: {
      sql: `SELECT i.* FROM "Inference" i WHERE i."trigger" = ? AND ${where} AND ${FREE} ORDER BY i."id" LIMIT 10`,
      params: [c.trigger, ...whereParams, c.now],
    },
  });
}

/** Lets go of the caller's own lock on an item (after skipping it); whether there was one. */
export function* releaseOwnLock(inferenceId: string, holder: string): Query<number> {
  return yield* run(`DELETE FROM "LabelLock" WHERE "inferenceId" = ? AND "holder" = ?`, [inferenceId, holder]);
}

/** Live locks of a trigger per holder name: who is working on how many items now. */
export function* readLiveLocks(trigger: string, now: Date): Query<{ holderName: string; n: number }[]> {
  const rows = yield* all<{ holderName: string; n: unknown }>(
    `SELECT "holderName", COUNT(*) AS "n" FROM "LabelLock" WHERE "trigger" = ? AND "expiresAt" > ? GROUP BY "holderName"`,
    [trigger, now],
  );
  return rows.map((r) => ({ holderName: r.holderName, n: Number(r.n) }));
}
