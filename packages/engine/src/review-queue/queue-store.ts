// Named review queues as stored: the queue, its assignees and its items' progress. Every read
// here is indexed by queue id or assignee. Progress is the queue row's item counts
// (pendingItems / doneItems / skippedItems), changed in the transaction of every write to the
// items: fill, status changes, and deletions (`removeQueueItems`: row deletion, retention).
import { all, decodeJson, get, run, toDate, toNum, valuesList, type Provider, type Query } from "@motion/db";
import type { QueueFeed } from "./queue-feed.ts";

export type QueueStatus = "filling" | "ready" | "failed";
export type QueueItemStatus = "pending" | "done" | "skipped";

export interface QueueProgress {
  total: number;
  pending: number;
  done: number;
  skipped: number;
}

export interface ReviewQueue {
  id: string;
  name: string;
  trigger: string;
  description: string | null;
  feed: QueueFeed;
  status: QueueStatus;
  error: string | null;
  createdBy: string;
  createdAt: Date;
  assignees: string[];
  progress: QueueProgress;
}

const marks = (n: number) => new Array(n).fill("?").join(", ");

const COUNT_COLUMN: Record<QueueItemStatus, string> = { pending: "pendingItems", done: "doneItems", skipped: "skippedItems" };
const STATUSES: readonly QueueItemStatus[] = ["pending", "done", "skipped"];

function progressOf(r: Record<string, unknown>): QueueProgress {
  const pending = toNum(r.pendingItems);
  const done = toNum(r.doneItems);
  const skipped = toNum(r.skippedItems);
  return { total: pending + done + skipped, pending, done, skipped };
}

/** Changes to a queue's item counts: queue id -> status -> items added (negative: removed). */
type CountDeltas = Map<string, Partial<Record<QueueItemStatus, number>>>;

function addDelta(deltas: CountDeltas, queueId: string, status: string, n: number): void {
  if (status !== "pending" && status !== "done" && status !== "skipped") return;
  const d = deltas.get(queueId) ?? {};
  d[status] = (d[status] ?? 0) + n;
  deltas.set(queueId, d);
}

/** Applies count changes, queue by queue in id order (concurrent PostgreSQL writers lock queues in one order). */
function* applyDeltas(deltas: CountDeltas): Query<void> {
  for (const queueId of [...deltas.keys()].sort()) {
    const d = deltas.get(queueId)!;
    const sets = STATUSES.filter((s) => (d[s] ?? 0) !== 0);
    if (!sets.length) continue;
    yield* run(
      `UPDATE "ReviewQueue" SET ${sets.map((s) => `"${COUNT_COLUMN[s]}" = "${COUNT_COLUMN[s]}" + ?`).join(", ")} WHERE "id" = ?`,
      [...sets.map((s) => d[s]!), queueId],
    );
  }
}

function* hydrate(provider: Provider, rows: Record<string, unknown>[]): Query<ReviewQueue[]> {
  const ids = rows.map((r) => r.id as string);
  const assignees = ids.length
    ? yield* all<{ queueId: string; actor: string }>(`SELECT "queueId", "actor" FROM "ReviewQueueAssignee" WHERE "queueId" IN (${marks(ids.length)}) ORDER BY "actor"`, ids)
    : [];
  return rows.map((r) => ({
    id: r.id as string,
    name: r.name as string,
    trigger: r.trigger as string,
    description: (r.description as string | null) ?? null,
    feed: decodeJson(provider, r.feed) as QueueFeed,
    status: r.status as QueueStatus,
    error: (r.error as string | null) ?? null,
    createdBy: r.createdBy as string,
    createdAt: toDate(r.createdAt),
    assignees: assignees.filter((a) => a.queueId === r.id).map((a) => a.actor),
    progress: progressOf(r),
  }));
}

export function* insertQueue(q: { id: string; name: string; trigger: string; description: string | null; feed: QueueFeed; createdBy: string; assignees: readonly string[]; now: Date; leaseUntil: Date }): Query<void> {
  yield* run(`INSERT INTO "ReviewQueue" ("id", "name", "trigger", "description", "feed", "status", "fillLeaseUntil", "createdBy", "createdAt") VALUES (?, ?, ?, ?, ?, 'filling', ?, ?, ?)`, [
    q.id, q.name, q.trigger, q.description, JSON.stringify(q.feed), q.leaseUntil, q.createdBy, q.now,
  ]);
  yield* setAssignees(q.id, q.assignees);
}

export function* setAssignees(queueId: string, actors: readonly string[]): Query<void> {
  yield* run(`DELETE FROM "ReviewQueueAssignee" WHERE "queueId" = ?`, [queueId]);
  for (const actor of new Set(actors)) yield* run(`INSERT INTO "ReviewQueueAssignee" ("queueId", "actor") VALUES (?, ?)`, [queueId, actor]);
}

export function* queueNameTaken(name: string, except?: string): Query<boolean> {
  const row = yield* get(`SELECT "id" FROM "ReviewQueue" WHERE "name" = ?${except ? ` AND "id" <> ?` : ""}`, except ? [name, except] : [name]);
  return row !== undefined;
}

export function* readQueue(provider: Provider, id: string): Query<ReviewQueue | undefined> {
  const row = yield* get<Record<string, unknown>>(`SELECT * FROM "ReviewQueue" WHERE "id" = ?`, [id]);
  return row ? (yield* hydrate(provider, [row]))[0] : undefined;
}

/**
 * Queues, optionally of one trigger. With `actor`, the ones assigned to that actor come first
 * (`assignedOnly` keeps only those). Queues are few (curated by admins), so one page holds all.
 */
export function* listQueues(provider: Provider, f: { trigger?: string; actor?: string; assignedOnly?: boolean }): Query<ReviewQueue[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (f.trigger) {
    where.push(`q."trigger" = ?`);
    params.push(f.trigger);
  }
  if (f.actor && f.assignedOnly) {
    where.push(`EXISTS (SELECT 1 FROM "ReviewQueueAssignee" a WHERE a."queueId" = q."id" AND a."actor" = ?)`);
    params.push(f.actor);
  }
  const rows = yield* all<Record<string, unknown>>(`SELECT q.* FROM "ReviewQueue" q ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY q."createdAt" DESC, q."id" DESC LIMIT 500`, params);
  const queues = yield* hydrate(provider, rows);
  if (!f.actor) return queues;
  const mine = (q: ReviewQueue) => (q.assignees.includes(f.actor!) ? 0 : 1);
  return queues.map((q, i) => ({ q, i })).sort((a, b) => mine(a.q) - mine(b.q) || a.i - b.i).map((x) => x.q);
}

export function* updateQueueRow(id: string, patch: { name?: string; description?: string | null }): Query<void> {
  if (patch.name !== undefined) yield* run(`UPDATE "ReviewQueue" SET "name" = ? WHERE "id" = ?`, [patch.name, id]);
  if (patch.description !== undefined) yield* run(`UPDATE "ReviewQueue" SET "description" = ? WHERE "id" = ?`, [patch.description, id]);
}

export function* setQueueStatus(id: string, status: QueueStatus, error: string | null = null): Query<void> {
  yield* run(`UPDATE "ReviewQueue" SET "status" = ?, "error" = ?, "fillLeaseUntil" = NULL WHERE "id" = ?`, [status, error, id]);
}

/** The filling process keeps its claim on the fill (see `ReviewQueue.fillLeaseUntil`). */
export function* renewFillLease(id: string, until: Date): Query<void> {
  yield* run(`UPDATE "ReviewQueue" SET "fillLeaseUntil" = ? WHERE "id" = ? AND "status" = 'filling'`, [until, id]);
}

/** Queues left filling by a process that stopped renewing its lease (it died mid-fill). */
export function* staleFills(provider: Provider, now: Date): Query<{ id: string; trigger: string; feed: QueueFeed }[]> {
  const rows = yield* all<Record<string, unknown>>(
    `SELECT "id", "trigger", "feed" FROM "ReviewQueue" WHERE "status" = 'filling' AND ("fillLeaseUntil" IS NULL OR "fillLeaseUntil" < ?) ORDER BY "id" LIMIT 50`,
    [now],
  );
  return rows.map((r) => ({ id: r.id as string, trigger: r.trigger as string, feed: decodeJson(provider, r.feed) as QueueFeed }));
}

/** Takes over a stale fill; false when another process took it (or it finished) first. */
export function* claimStaleFill(id: string, now: Date, until: Date): Query<boolean> {
  const changed = yield* run(
    `UPDATE "ReviewQueue" SET "fillLeaseUntil" = ? WHERE "id" = ? AND "status" = 'filling' AND ("fillLeaseUntil" IS NULL OR "fillLeaseUntil" < ?)`,
    [until, id, now],
  );
  return changed === 1;
}

/** Deletes a queue with its items and assignees (its counts go with its row). */
export function* deleteQueue(id: string): Query<boolean> {
  yield* run(`DELETE FROM "ReviewQueueItem" WHERE "queueId" = ?`, [id]);
  yield* run(`DELETE FROM "ReviewQueueAssignee" WHERE "queueId" = ?`, [id]);
  return (yield* run(`DELETE FROM "ReviewQueue" WHERE "id" = ?`, [id])) > 0;
}

/** Adds pending items (ids already in the queue are left as they are); the queue counts the new ones. */
export function* insertItems(queueId: string, ids: readonly string[], firstPosition: number): Query<number> {
  let added = 0;
  // 500 rows of 4 parameters per statement: under both databases' bind limits.
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    const params = chunk.flatMap((id, i) => [queueId, id, firstPosition + start + i, "pending"]);
    const inserted = yield* all<{ inferenceId: string }>(
      `INSERT INTO "ReviewQueueItem" ("queueId", "inferenceId", "position", "status") VALUES ${valuesList(chunk.length, 4)} ON CONFLICT DO NOTHING RETURNING "inferenceId"`,
      params,
    );
    added += inserted.length;
  }
  if (added) yield* applyDeltas(new Map([[queueId, { pending: added }]]));
  return added;
}

/** A label on an inference finishes it in every queue holding it (also labels from browse mode). */
export function* markDoneEverywhere(inferenceId: string, actor: string, now: Date): Query<void> {
  // One statement per previous status, so each queue's counts move by what this statement changed.
  const deltas: CountDeltas = new Map();
  for (const from of ["pending", "skipped"] as const) {
    const moved = yield* all<{ queueId: string }>(
      `UPDATE "ReviewQueueItem" SET "status" = 'done', "doneBy" = ?, "doneAt" = ? WHERE "inferenceId" = ? AND "status" = ? RETURNING "queueId"`,
      [actor, now, inferenceId, from],
    );
    for (const m of moved) {
      addDelta(deltas, m.queueId, from, -1);
      addDelta(deltas, m.queueId, "done", 1);
    }
  }
  yield* applyDeltas(deltas);
}

/** Sets an item's status (and who / when); whether the item exists. */
export function* setItemStatus(queueId: string, inferenceId: string, status: QueueItemStatus, actor: string, now: Date): Query<boolean> {
  // Conditional on the previous status, so the counts move only by a change this statement made.
  for (const from of STATUSES) {
    if (from === status) continue;
    const moved = yield* run(
      `UPDATE "ReviewQueueItem" SET "status" = ?, "doneBy" = ?, "doneAt" = ? WHERE "queueId" = ? AND "inferenceId" = ? AND "status" = ?`,
      [status, actor, now, queueId, inferenceId, from],
    );
    if (moved > 0) {
      yield* applyDeltas(new Map([[queueId, { [from]: -1, [status]: 1 }]]));
      return true;
    }
  }
  return (yield* run(`UPDATE "ReviewQueueItem" SET "doneBy" = ?, "doneAt" = ? WHERE "queueId" = ? AND "inferenceId" = ? AND "status" = ?`, [actor, now, queueId, inferenceId, status])) > 0;
}

/** Deletes the items of these inferences from every queue (their rows are deleted); the queues count them out. */
export function* removeQueueItems(inferenceIds: readonly string[]): Query<void> {
  const deltas: CountDeltas = new Map();
  for (let start = 0; start < inferenceIds.length; start += 500) {
    const chunk = inferenceIds.slice(start, start + 500);
    const gone = yield* all<{ queueId: string; status: string }>(
      `DELETE FROM "ReviewQueueItem" WHERE "inferenceId" IN (${chunk.map(() => "?").join(", ")}) RETURNING "queueId", "status"`,
      chunk,
    );
    for (const g of gone) addDelta(deltas, g.queueId, g.status, -1);
  }
  yield* applyDeltas(deltas);
}

/** Gives a queue item to one labeler (null: back to any labeler of the queue); whether the item exists. */
export function* setItemAssignee(queueId: string, inferenceId: string, assignee: string | null): Query<boolean> {
  return (yield* run(`UPDATE "ReviewQueueItem" SET "assignee" = ? WHERE "queueId" = ? AND "inferenceId" = ?`, [assignee, queueId, inferenceId])) > 0;
}

export function* readItem(queueId: string, inferenceId: string): Query<{ status: QueueItemStatus } | undefined> {
  return yield* get<{ status: QueueItemStatus }>(`SELECT "status" FROM "ReviewQueueItem" WHERE "queueId" = ? AND "inferenceId" = ?`, [queueId, inferenceId]);
}
