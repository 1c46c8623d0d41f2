// "Next item" for a labeler, with expiring LabelLocks: one live lock per inference, taken by a
// conditional upsert (atomic on SQLite and PostgreSQL), so two labelers never get the same
// item. The same steps serve the trigger-wide review queue (the next inference of a trigger
// by label state and version) and named queues (the next pending item, in queue order).
import { execute, selectAll, selectFirst, storage, type Compilable, type Expression, type ExpressionBuilder, type Query, type SqlBool, type StorageDB } from "@motion/db";

export interface LockRequest {
  trigger: string;
  holder: string;
  holderName: string;
  now: Date;
  expiresAt: Date;
}

type Item = Record<string, unknown> & { id: string };

/** Where items come from: the one the holder already has locked, and up to 10 free ones in order. */
interface ItemSource {
  held: Compilable<Item>;
  candidates: Compilable<Item>;
}

function* claim(c: LockRequest, source: ItemSource): Query<Record<string, unknown> | undefined> {
  // 1. The item this labeler already holds (a reload must not hand out a second one).
  const held = yield* selectFirst(source.held);
  if (held) {
    yield* execute(storage.updateTable("LabelLock").set({ expiresAt: c.expiresAt }).where("inferenceId", "=", held.id).where("holder", "=", c.holder));
    return held;
  }
  // 2. One item at a time per labeler and trigger: let go of anything else held.
  yield* execute(storage.deleteFrom("LabelLock").where("holder", "=", c.holder).where("trigger", "=", c.trigger));
  for (let round = 0; round < 5; round++) {
    const candidates = yield* selectAll(source.candidates);
    if (candidates.length === 0) return undefined;
    for (const candidate of candidates) {
      // Taken when there is no lock or only an expired one: one atomic conditional upsert.
      const taken = yield* execute(
        storage.insertInto("LabelLock").values({ inferenceId: candidate.id, trigger: c.trigger, holder: c.holder, holderName: c.holderName, expiresAt: c.expiresAt, createdAt: c.now })
          .onConflict((oc) => oc.column("inferenceId").doUpdateSet((eb) => ({
            holder: eb.ref("excluded.holder"), holderName: eb.ref("excluded.holderName"), expiresAt: eb.ref("excluded.expiresAt"), createdAt: eb.ref("excluded.createdAt"),
          })).where("LabelLock.expiresAt", "<=", c.now)),
      );
      if (taken > 0) return candidate;
    }
  }
  return undefined;
}

/** No live lock on inference `i`. */
const free = (eb: ExpressionBuilder<StorageDB & { i: StorageDB["Inference"] }, "i">, now: Date) =>
  eb.not(eb.exists(eb.selectFrom("LabelLock as l").select("l.inferenceId").whereRef("l.inferenceId", "=", "i.id").where("l.expiresAt", ">", now)));

/**
 * The inference row now locked by `holder` in this named queue, or undefined when no pending
 * item is free. An item assigned to one labeler (ReviewQueueItem.assignee) goes only to them.
 */
export function* claimQueueItem(c: LockRequest & { queueId: string }): Query<Record<string, unknown> | undefined> {
  return yield* claim(c, {
    held: storage.selectFrom("LabelLock as l")
      .innerJoin("ReviewQueueItem as q", (join) => join.onRef("q.inferenceId", "=", "l.inferenceId").on("q.queueId", "=", c.queueId).on("q.status", "=", "pending"))
      .innerJoin("Inference as i", "i.id", "l.inferenceId").selectAll("i")
      .where("l.holder", "=", c.holder).where("l.expiresAt", ">", c.now).orderBy("q.position").limit(1),
    candidates: storage.selectFrom("ReviewQueueItem as q").innerJoin("Inference as i", "i.id", "q.inferenceId").selectAll("i")
      .where("q.queueId", "=", c.queueId).where("q.status", "=", "pending")
      .where((eb) => eb.or([eb("q.assignee", "is", null), eb("q.assignee", "=", c.holderName)]))
      .where((eb) => free(eb as unknown as Parameters<typeof free>[0], c.now)).orderBy("q.position").limit(10),
  });
}

export type ReviewFilter = "unlabeled" | "good" | "bad";

/**
 * The trigger-wide review queue: the oldest inference of the trigger in the label state
 * `filter` (and `version`), not in `exclude`, locked for `holder`; undefined when none is left.
 */
export function* claimReviewItem(c: LockRequest & { filter: ReviewFilter; version?: number; exclude: readonly string[] }): Query<Record<string, unknown> | undefined> {
  // The label state, version and exclusions, on inference `i`.
  const wanted = (eb: ExpressionBuilder<StorageDB & { i: StorageDB["Inference"] }, "i">): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [
      c.filter === "unlabeled"
        ? eb("i.labeled", "=", false)
        : eb.exists(eb.selectFrom("Feedback as f").select("f.id").whereRef("f.inferenceId", "=", "i.id").where("f.label", "=", c.filter)),
    ];
    if (c.version !== undefined) conditions.push(eb("i.stateVersion", "=", c.version));
    if (c.exclude.length) conditions.push(eb("i.id", "not in", [...c.exclude]));
    return eb.and(conditions);
  };
  type OnInference = Parameters<typeof wanted>[0];
  return yield* claim(c, {
    held: storage.selectFrom("LabelLock as l").innerJoin("Inference as i", "i.id", "l.inferenceId").selectAll("i")
      .where("l.holder", "=", c.holder).where("l.trigger", "=", c.trigger).where("l.expiresAt", ">", c.now)
      .where((eb) => wanted(eb as unknown as OnInference)).orderBy("i.id").limit(1),
    candidates: storage.selectFrom("Inference as i").selectAll("i").where("i.trigger", "=", c.trigger)
      .where((eb) => wanted(eb)).where((eb) => free(eb, c.now)).orderBy("i.id").limit(10),
  });
}

/** Lets go of the caller's own lock on an item (after skipping it); whether there was one. */
export function* releaseOwnLock(inferenceId: string, holder: string): Query<number> {
  return yield* execute(storage.deleteFrom("LabelLock").where("inferenceId", "=", inferenceId).where("holder", "=", holder));
}

/** Live locks of a trigger per holder name: who is working on how many items now. */
export function* readLiveLocks(trigger: string, now: Date): Query<{ holderName: string; n: number }[]> {
  const rows = yield* selectAll(storage.selectFrom("LabelLock").select((eb) => ["holderName", eb.fn.countAll().as("n")]).where("trigger", "=", trigger).where("expiresAt", ">", now).groupBy("holderName"));
  return rows.map((r) => ({ holderName: r.holderName, n: Number(r.n) }));
}
