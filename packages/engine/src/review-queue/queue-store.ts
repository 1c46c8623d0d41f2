// Named review queues as stored: the queue, its assignees and its items' progress. Every read
// here is indexed by queue id or assignee. Progress is the queue row's item counts
// (pendingItems / doneItems / skippedItems), changed in the transaction of every write to the
// items: fill, status changes, and deletions (`removeQueueItems`: row deletion, retention).
import { decodeJson, execute, prepare, selectAll, selectFirst, storage, toDate, toNum, type Provider, type Query } from "@motion/db";
import { ValidationError } from "../errors.ts";
import type { Page } from "../read-model/page.ts";
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

const COUNT_COLUMN = { pending: "pendingItems", done: "doneItems", skipped: "skippedItems" } as const satisfies Record<QueueItemStatus, string>;
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
    yield* execute(
      storage.updateTable("ReviewQueue")
        .set((eb) => Object.fromEntries(sets.map((st) => [COUNT_COLUMN[st], eb(COUNT_COLUMN[st], "+", d[st]!)])))
        .where("id", "=", queueId),
    );
  }
}

function* hydrate(provider: Provider, rows: Record<string, unknown>[]): Query<ReviewQueue[]> {
  const ids = rows.map((r) => r.id as string);
  const assignees = ids.length
    ? yield* selectAll(storage.selectFrom("ReviewQueueAssignee").select(["queueId", "actor"]).where("queueId", "in", ids).orderBy("actor"))
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
  yield* execute(
    storage.insertInto("ReviewQueue").values({
      id: q.id, name: q.name, trigger: q.trigger, description: q.description, feed: JSON.stringify(q.feed), status: "filling", fillLeaseUntil: q.leaseUntil, createdBy: q.createdBy, createdAt: q.now,
    }),
  );
  yield* setAssignees(q.id, q.assignees);
}

export function* setAssignees(queueId: string, actors: readonly string[]): Query<void> {
  yield* execute(storage.deleteFrom("ReviewQueueAssignee").where("queueId", "=", queueId));
  for (const actor of new Set(actors)) yield* execute(storage.insertInto("ReviewQueueAssignee").values({ queueId, actor }));
}

export function* queueNameTaken(name: string, except?: string): Query<boolean> {
  let q = storage.selectFrom("ReviewQueue").select("id").where("name", "=", name);
  if (except) q = q.where("id", "<>", except);
  const row = yield* selectFirst(q);
  return row !== undefined;
}

export function* readQueue(provider: Provider, id: string): Query<ReviewQueue | undefined> {
  const row = yield* selectFirst(storage.selectFrom("ReviewQueue").selectAll().where("id", "=", id));
  return row ? (yield* hydrate(provider, [row]))[0] : undefined;
}

export interface QueueListFilter {
  trigger?: string;
  /** With an actor, the queues assigned to them come first (`assignedOnly`: only those). */
  actor?: string;
  assignedOnly?: boolean;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  /** Queues per page (1..500, default 50). */
  limit?: number;
}

/** A stretch of the list order: the actor's assigned queues, or the others. `key` names it in cursors. */
interface Segment {
  key: string | null;
  assigned?: boolean;
}
const ASSIGNED: Segment = { key: "mine", assigned: true };
const OTHERS: Segment = { key: "rest", assigned: false };

/**
 * The segments of the list, in order. Without an actor (or with `assignedOnly`) the list is one
 * segment and a cursor is the last queue's id; with an actor the assigned queues come first and
 * a cursor is `mine:<id>` or `rest:<id>` (the segment of the last queue, fixed in the cursor, so
 * an assignee change between pages cannot send the walk back to the first segment).
 */
function segmentsOf(f: QueueListFilter): Segment[] {
  if (!f.actor) return [{ key: null }];
  if (f.assignedOnly) return [{ key: null, assigned: true }];
  return [ASSIGNED, OTHERS];
}

function badCursor(message: string): ValidationError {
  return new ValidationError("review queues", [{ index: -1, path: ["cursor"], message, code: "custom" }]);
}

/** Where a cursor resumes: the segment index and the id after which it goes on. */
function resumeAt(segments: Segment[], cursor: string | null | undefined): { segment: number; after: string | null } {
  if (!cursor) return { segment: 0, after: null };
  if (segments.length === 1) return { segment: 0, after: cursor };
  const colon = cursor.indexOf(":");
  const at = colon > 0 ? segments.findIndex((s) => s.key === cursor.slice(0, colon)) : -1;
  const after = cursor.slice(colon + 1);
  if (at === -1 || !after) throw badCursor(`cursor ${JSON.stringify(cursor)} is not one of this list's; pass the nextCursor of the previous page`);
  return { segment: at, after };
}

/**
 * A page of queues, optionally of one trigger, newest first by id (ids are time-sortable). With
 * `actor`, the ones assigned to that actor come first (`assignedOnly` keeps only those); the
 * order is (assigned first, id descending), total and keyset-paged, so walking the pages
 * returns every queue once.
 */
export function* listQueues(provider: Provider, f: QueueListFilter): Query<Page<ReviewQueue>> {
  const limit = f.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError("review queues", [{ index: -1, path: ["limit"], message: "limit must be an integer in 1..500", code: "invalid_type" }]);
  const segments = segmentsOf(f);
  const start = resumeAt(segments, f.cursor);
  const rows: { row: Record<string, unknown>; segment: Segment }[] = [];
  for (let i = start.segment; i < segments.length && rows.length <= limit; i++) {
    const segment = segments[i]!;
    let q = storage.selectFrom("ReviewQueue as q").selectAll("q");
    if (f.trigger) q = q.where("q.trigger", "=", f.trigger);
    if (segment.assigned !== undefined) {
      const actor = f.actor!;
      const assigned = segment.assigned;
      q = q.where((eb) => {
        const exists = eb.exists(eb.selectFrom("ReviewQueueAssignee as a").select("a.actor").whereRef("a.queueId", "=", "q.id").where("a.actor", "=", actor));
        return assigned ? exists : eb.not(exists);
      });
    }
    if (i === start.segment && start.after !== null) q = q.where("q.id", "<", start.after);
    const got = yield* selectAll(q.orderBy("q.id", "desc").limit(limit + 1 - rows.length));
    for (const row of got) rows.push({ row, segment });
  }
  const kept = rows.slice(0, limit);
  const items = yield* hydrate(provider, kept.map((r) => r.row));
  const last = kept[kept.length - 1];
  const nextCursor = rows.length > limit && last ? (last.segment.key ? `${last.segment.key}:${last.row.id as string}` : (last.row.id as string)) : null;
  return { items, nextCursor };
}

export function* updateQueueRow(id: string, patch: { name?: string; description?: string | null }): Query<void> {
  if (patch.name !== undefined) yield* execute(storage.updateTable("ReviewQueue").set({ name: patch.name }).where("id", "=", id));
  if (patch.description !== undefined) yield* execute(storage.updateTable("ReviewQueue").set({ description: patch.description }).where("id", "=", id));
}

export function* setQueueStatus(id: string, status: QueueStatus, error: string | null = null): Query<void> {
  yield* execute(storage.updateTable("ReviewQueue").set({ status, error, fillLeaseUntil: null }).where("id", "=", id));
}

/** The filling process keeps its claim on the fill (see `ReviewQueue.fillLeaseUntil`). */
export function* renewFillLease(id: string, until: Date): Query<void> {
  yield* execute(storage.updateTable("ReviewQueue").set({ fillLeaseUntil: until }).where("id", "=", id).where("status", "=", "filling"));
}

/** Queues left filling by a process that stopped renewing its lease (it died mid-fill). */
export function* staleFills(provider: Provider, now: Date): Query<{ id: string; trigger: string; feed: QueueFeed }[]> {
  const rows = yield* selectAll(
    storage.selectFrom("ReviewQueue").select(["id", "trigger", "feed"]).where("status", "=", "filling")
      .where((eb) => eb.or([eb("fillLeaseUntil", "is", null), eb("fillLeaseUntil", "<", now)])).orderBy("id").limit(50),
  );
  return rows.map((r) => ({ id: r.id, trigger: r.trigger, feed: decodeJson(provider, r.feed) as QueueFeed }));
}

/** Takes over a stale fill; false when another process took it (or it finished) first. */
export function* claimStaleFill(id: string, now: Date, until: Date): Query<boolean> {
  const changed = yield* execute(
    storage.updateTable("ReviewQueue").set({ fillLeaseUntil: until }).where("id", "=", id).where("status", "=", "filling")
      .where((eb) => eb.or([eb("fillLeaseUntil", "is", null), eb("fillLeaseUntil", "<", now)])),
  );
  return changed === 1;
}

/** Deletes a queue with its items and assignees (its counts go with its row). */
export function* deleteQueue(id: string): Query<boolean> {
  yield* execute(storage.deleteFrom("ReviewQueueItem").where("queueId", "=", id));
  yield* execute(storage.deleteFrom("ReviewQueueAssignee").where("queueId", "=", id));
  return (yield* execute(storage.deleteFrom("ReviewQueue").where("id", "=", id))) > 0;
}

/** Adds pending items (ids already in the queue are left as they are); the queue counts the new ones. */
export function* insertItems(queueId: string, ids: readonly string[], firstPosition: number): Query<number> {
  let added = 0;
  // 500 rows of 4 parameters per statement: under both databases' bind limits.
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    const inserted = yield* selectAll(
      storage.insertInto("ReviewQueueItem").values(chunk.map((inferenceId, i) => ({ queueId, inferenceId, position: firstPosition + start + i, status: "pending" })))
        .onConflict((oc) => oc.doNothing()).returning("inferenceId"),
    );
    added += inserted.length;
  }
  if (added) yield* applyDeltas(new Map([[queueId, { pending: added }]]));
  return added;
}

// Runs in every label's transaction: compiled once.
const FINISH_ITEMS = prepare((actor: string, now: Date, inferenceId: string, from: string) =>
  storage.updateTable("ReviewQueueItem").set({ status: "done", doneBy: actor, doneAt: now }).where("inferenceId", "=", inferenceId).where("status", "=", from).returning("queueId"),
);

/** A label on an inference finishes it in every queue holding it (also labels from browse mode). */
export function* markDoneEverywhere(inferenceId: string, actor: string, now: Date): Query<void> {
  // One statement per previous status, so each queue's counts move by what this statement changed.
  const deltas: CountDeltas = new Map();
  for (const from of ["pending", "skipped"] as const) {
    const moved = yield* FINISH_ITEMS.all(actor, now, inferenceId, from);
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
    const moved = yield* execute(
      storage.updateTable("ReviewQueueItem").set({ status, doneBy: actor, doneAt: now }).where("queueId", "=", queueId).where("inferenceId", "=", inferenceId).where("status", "=", from),
    );
    if (moved > 0) {
      yield* applyDeltas(new Map([[queueId, { [from]: -1, [status]: 1 }]]));
      return true;
    }
  }
  return (yield* execute(storage.updateTable("ReviewQueueItem").set({ doneBy: actor, doneAt: now }).where("queueId", "=", queueId).where("inferenceId", "=", inferenceId).where("status", "=", status))) > 0;
}

/** Deletes the items of these inferences from every queue (their rows are deleted); the queues count them out. */
export function* removeQueueItems(inferenceIds: readonly string[]): Query<void> {
  const deltas: CountDeltas = new Map();
  for (let start = 0; start < inferenceIds.length; start += 500) {
    const chunk = inferenceIds.slice(start, start + 500);
    const gone = yield* selectAll(storage.deleteFrom("ReviewQueueItem").where("inferenceId", "in", chunk).returning(["queueId", "status"]));
    for (const g of gone) addDelta(deltas, g.queueId, g.status, -1);
  }
  yield* applyDeltas(deltas);
}

/** Gives a queue item to one labeler (null: back to any labeler of the queue); whether the item exists. */
export function* setItemAssignee(queueId: string, inferenceId: string, assignee: string | null): Query<boolean> {
  return (yield* execute(storage.updateTable("ReviewQueueItem").set({ assignee }).where("queueId", "=", queueId).where("inferenceId", "=", inferenceId))) > 0;
}

export function* readItem(queueId: string, inferenceId: string): Query<{ status: QueueItemStatus } | undefined> {
  return (yield* selectFirst(storage.selectFrom("ReviewQueueItem").select("status").where("queueId", "=", queueId).where("inferenceId", "=", inferenceId))) as { status: QueueItemStatus } | undefined;
}
