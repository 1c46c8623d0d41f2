// Named review queues as stored: the queue, its assignees and its items' progress. Every read
// here is indexed by queue id or assignee; counts come from the (queueId, status, position) index.
import { all, decodeJson, get, insertMany, run, toDate, toNum, type Provider, type Query } from "@motion/db";
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

function* progressOf(ids: readonly string[]): Query<Map<string, QueueProgress>> {
  const out = new Map<string, QueueProgress>();
  for (const id of ids) out.set(id, { total: 0, pending: 0, done: 0, skipped: 0 });
  if (ids.length === 0) return out;
  const rows = yield* all<{ queueId: string; status: string; n: unknown }>(
    `SELECT "queueId", "status", COUNT(*) AS "n" FROM "ReviewQueueItem" WHERE "queueId" IN (${marks(ids.length)}) GROUP BY "queueId", "status"`,
    ids,
  );
  for (const r of rows) {
    const p = out.get(r.queueId)!;
    const n = toNum(r.n);
    p.total += n;
    if (r.status === "pending" || r.status === "done" || r.status === "skipped") p[r.status] += n;
  }
  return out;
}

function* hydrate(provider: Provider, rows: Record<string, unknown>[]): Query<ReviewQueue[]> {
  const ids = rows.map((r) => r.id as string);
  const progress = yield* progressOf(ids);
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
    progress: progress.get(r.id as string)!,
  }));
}

export function* insertQueue(q: { id: string; name: string; trigger: string; description: string | null; feed: QueueFeed; createdBy: string; assignees: readonly string[]; now: Date }): Query<void> {
  yield* run(`INSERT INTO "ReviewQueue" ("id", "name", "trigger", "description", "feed", "status", "createdBy", "createdAt") VALUES (?, ?, ?, ?, ?, 'filling', ?, ?)`, [
    q.id, q.name, q.trigger, q.description, JSON.stringify(q.feed), q.createdBy, q.now,
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
  yield* run(`UPDATE "ReviewQueue" SET "status" = ?, "error" = ? WHERE "id" = ?`, [status, error, id]);
}

export function* deleteQueue(id: string): Query<boolean> {
  yield* run(`DELETE FROM "ReviewQueueItem" WHERE "queueId" = ?`, [id]);
  yield* run(`DELETE FROM "ReviewQueueAssignee" WHERE "queueId" = ?`, [id]);
  return (yield* run(`DELETE FROM "ReviewQueue" WHERE "id" = ?`, [id])) > 0;
}

export function* insertItems(queueId: string, ids: readonly string[], firstPosition: number): Query<void> {
  const rows = ids.map((id, i) => [queueId, id, firstPosition + i, "pending"]);
  yield* insertMany(`INSERT INTO "ReviewQueueItem" ("queueId", "inferenceId", "position", "status") VALUES `, 4, rows, ` ON CONFLICT DO NOTHING`);
}

/** A label on an inference finishes it in every queue holding it (also labels from browse mode). */
export function* markDoneEverywhere(inferenceId: string, actor: string, now: Date): Query<void> {
  yield* run(`UPDATE "ReviewQueueItem" SET "status" = 'done', "doneBy" = ?, "doneAt" = ? WHERE "inferenceId" = ? AND "status" <> 'done'`, [actor, now, inferenceId]);
}

export function* setItemStatus(queueId: string, inferenceId: string, status: QueueItemStatus, actor: string, now: Date): Query<boolean> {
  return (yield* run(`UPDATE "ReviewQueueItem" SET "status" = ?, "doneBy" = ?, "doneAt" = ? WHERE "queueId" = ? AND "inferenceId" = ?`, [status, actor, now, queueId, inferenceId])) > 0;
}

/** Gives a queue item to one labeler (null: back to any labeler of the queue); whether the item exists. */
export function* setItemAssignee(queueId: string, inferenceId: string, assignee: string | null): Query<boolean> {
  return (yield* run(`UPDATE "ReviewQueueItem" SET "assignee" = ? WHERE "queueId" = ? AND "inferenceId" = ?`, [assignee, queueId, inferenceId])) > 0;
}

export function* readItem(queueId: string, inferenceId: string): Query<{ status: QueueItemStatus } | undefined> {
  return yield* get<{ status: QueueItemStatus }>(`SELECT "status" FROM "ReviewQueueItem" WHERE "queueId" = ? AND "inferenceId" = ?`, [queueId, inferenceId]);
}
