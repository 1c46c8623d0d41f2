// Storage of drift: profile deltas (one per ingest batch and partition), verdicts per
// partition, append-only events. Written once as query generators for both databases.
import { recordAudit } from "../audit-log.ts";
import { execute, newId, prepare, selectAll, sql, storage, toDate, toJson, type Provider, type Query, type SelectQueryBuilder, type StorageDB } from "@motion/db";
import { type ColumnFinding } from "./detector.ts";
import { type ProfileJSON } from "./profile-accumulator.ts";
import { type DriftAction, type DriftEvent, type DriftPartition, type DriftStatus } from "./surface.ts";

export interface PartitionCount {
  partition: string;
  /** Profile rows stored for it (> 1 until compacted). */
  deltas: number;
  rows: number;
}

/** Rows and stored profile rows per partition of a relation, oldest partition first. */
export function* readPartitionCounts(relation: string, range: { from?: string; to?: string } = {}): Query<PartitionCount[]> {
  const rows = yield* selectAll(
    inRange(storage.selectFrom("DriftProfile").select((eb) => ["partition", eb.fn.countAll().as("deltas"), eb.fn.sum("rows").as("rows")]).where("relation", "=", relation), range)
      .groupBy("partition").orderBy("partition"),
  );
  return rows.map((r) => ({ partition: r.partition, deltas: Number(r.deltas), rows: Number(r.rows) }));
}

/** Narrows a query on a table with a `partition` column to a range of partition keys. */
function inRange<Q extends SelectQueryBuilder<StorageDB, "DriftProfile" | "DriftPartition", object>>(query: Q, range: { from?: string; to?: string }): Q {
  let q = query;
  if (range.from !== undefined) q = q.where("partition", ">=", range.from) as Q;
  if (range.to !== undefined) q = q.where("partition", "<=", range.to) as Q;
  return q;
}

/**
 * The stored profile rows of these partitions as the driver returns them (JSON text on SQLite,
 * parsed on PostgreSQL): the drift thread parses and merges them, not the caller's thread.
 */
export function* readProfileRows(relation: string, partitions: string[]): Query<{ id: string; partition: string; profile: string | ProfileJSON }[]> {
  if (partitions.length === 0) return [];
  const rows = yield* selectAll(
    storage.selectFrom("DriftProfile").select(["id", "partition", "profile"]).where("relation", "=", relation).where("partition", "in", partitions).orderBy("partition").orderBy("id"),
  );
  return rows as { id: string; partition: string; profile: string | ProfileJSON }[];
}

/** Another process compacted the same profile rows first; the caller re-reads. */
export class CompactionRace extends Error {}

/**
 * Replaces a partition's profile rows by their merge. The delete must take exactly the rows
 * that were merged: if another process got there first, nothing is written (no double count).
 */
export function* compactProfiles(relation: string, partition: string, ids: string[], merged: string, rows: number, now: Date): Query<string> {
  const deleted = yield* execute(storage.deleteFrom("DriftProfile").where("id", "in", ids));
  if (deleted !== ids.length) throw new CompactionRace(`profiles of ${relation}/${partition} were compacted concurrently`);
  const id = newId(now.getTime());
  yield* execute(storage.insertInto("DriftProfile").values({ id, relation, partition, rows, profile: merged, createdAt: now }));
  return id;
}

export interface StoredVerdict extends DriftPartition {
  checkedAt: Date;
  findings: ColumnFinding[];
  /** `findings` as JSON text when it was made elsewhere (the drift thread): stored as is. */
  findingsJson?: string;
  decidedBy: string | null;
}

function toVerdict(r: Record<string, unknown>): StoredVerdict {
  return {
    relation: r.relation as string,
    partition: r.partition as string,
    rows: Number(r.rows),
    status: r.status as DriftStatus,
    valid: r.valid === true || r.valid === 1,
    score: r.score === null || r.score === undefined ? null : Number(r.score),
    threshold: Number(r.threshold),
    history: Number(r.history),
    columns: toJson<ColumnFinding[]>(r.columns),
    findings: toJson<ColumnFinding[]>(r.findings),
    checkedAt: toDate(r.checkedAt),
    decidedBy: (r.decidedBy as string | null) ?? null,
  };
}

const VERDICT_COLUMNS = ["relation", "partition", "rows", "status", "valid", "score", "threshold", "history", "columns", "checkedAt", "decidedBy"] as const;
/** Verdicts, with their findings or (lists, alerts) without: findings are the largest column. */
const verdicts = (withFindings: boolean) => {
  const q = storage.selectFrom("DriftPartition").select(VERDICT_COLUMNS);
  return withFindings ? q.select("findings") : q.select(sql<string>`'[]'`.as("findings"));
};

export function* readVerdicts(relation: string, range: { from?: string; to?: string } = {}, withFindings = true): Query<StoredVerdict[]> {
  const rows = yield* selectAll(inRange(verdicts(withFindings).where("relation", "=", relation), range).orderBy("partition"));
  return rows.map(toVerdict);
}

const VERDICT = prepare((relation: string, partition: string) => verdicts(true).where("relation", "=", relation).where("partition", "=", partition));
// Decisions and a check's writes read the verdict they replace for its status only: the
// findings (the largest column, tens of KB) are not parsed on the thread that serves answers.
const VERDICT_HEAD = prepare((relation: string, partition: string) => verdicts(false).where("relation", "=", relation).where("partition", "=", partition));
const VERDICT_HEAD_FOR_UPDATE = prepare((relation: string, partition: string) => verdicts(false).where("relation", "=", relation).where("partition", "=", partition).forUpdate());

/** One partition's verdict; `forUpdate` (a check's or a decision's own transaction) reads it without findings and, on PostgreSQL, locks its row. */
export function* readVerdict(provider: Provider, relation: string, partition: string, forUpdate = false): Query<StoredVerdict | undefined> {
  const r = yield* (forUpdate ? (provider === "postgresql" ? VERDICT_HEAD_FOR_UPDATE : VERDICT_HEAD) : VERDICT).first(relation, partition);
  return r ? toVerdict(r) : undefined;
}

/** Where a page of alerts ends: the last one's keys. */
export interface AlertKey {
  relation: string;
  partition: string;
}

/**
 * Flagged partitions not yet decided, newest verdict first (then relation and partition, so the
 * order is total), `after` the alert a previous page ended with. `null`: that alert is gone
 * (decided meanwhile) — the caller starts over.
 */
export function* readAlerts(relations: string[], limit: number, after?: AlertKey): Query<StoredVerdict[] | null> {
  if (relations.length === 0) return [];
  // Relations the app still declares (a removed relation's verdicts stay in the table).
  let q = verdicts(false).where("status", "in", ["drift", "held"]).where("relation", "in", relations);
  if (after) {
    const [at] = yield* selectAll(storage.selectFrom("DriftPartition").select("checkedAt").where("relation", "=", after.relation).where("partition", "=", after.partition).where("status", "in", ["drift", "held"]));
    if (!at) return null;
    const checkedAt = toDate(at.checkedAt);
    q = q.where((eb) =>
      eb.or([
        eb("checkedAt", "<", checkedAt),
        eb.and([eb("checkedAt", "=", checkedAt), eb.or([eb("relation", "<", after.relation), eb.and([eb("relation", "=", after.relation), eb("partition", "<", after.partition)])])]),
      ]),
    );
  }
  const rows = yield* selectAll(q.orderBy("checkedAt", "desc").orderBy("relation", "desc").orderBy("partition", "desc").limit(limit));
  return rows.map(toVerdict);
}

// A check writes one verdict per partition (365 for a year) on the main thread: compiled once.
const UPDATE_VERDICT = prepare((
  relation: string, partition: string, rows: number, status: string, valid: boolean, score: number | null, threshold: number, history: number,
  columns: string, findings: string, checkedAt: Date, decidedBy: string | null,
) => storage.updateTable("DriftPartition").set({ rows, status, valid, score, threshold, history, columns, findings, checkedAt, decidedBy })
  .where("relation", "=", relation).where("partition", "=", partition));
const INSERT_VERDICT = prepare((
  relation: string, partition: string, rows: number, status: string, valid: boolean, score: number | null, threshold: number, history: number,
  columns: string, findings: string, checkedAt: Date, decidedBy: string | null,
) => storage.insertInto("DriftPartition").values({ relation, partition, rows, status, valid, score, threshold, history, columns, findings, checkedAt, decidedBy }));

export function* writeVerdict(v: StoredVerdict, exists: boolean): Query<void> {
  yield* (exists ? UPDATE_VERDICT : INSERT_VERDICT).run(
    v.relation, v.partition, v.rows, v.status, v.valid, v.score, v.threshold, v.history,
    JSON.stringify(v.columns), v.findingsJson ?? JSON.stringify(v.findings), v.checkedAt, v.decidedBy,
  );
}

/** An operator's decision on a partition: its new status and validity. */
export function* decideVerdict(relation: string, partition: string, status: DriftStatus, valid: boolean, actor: string, now: Date): Query<void> {
  yield* execute(storage.updateTable("DriftPartition").set({ status, valid, decidedBy: actor, decidedAt: now }).where("relation", "=", relation).where("partition", "=", partition));
}

/** Appends a drift event and its audit-log entry (same transaction as the change). */
export function* recordDriftEvent(e: { relation: string; partition: string; action: DriftAction; actor: string; reason: string | null; data: unknown; at: Date }): Query<string> {
  const id = newId(e.at.getTime());
  const data = e.data === undefined ? null : JSON.stringify(e.data);
  yield* execute(storage.insertInto("DriftEvent").values({ id, relation: e.relation, partition: e.partition, action: e.action, actor: e.actor, reason: e.reason, data, createdAt: e.at }));
  yield* recordAudit({ actor: e.actor, action: `drift.${e.action}`, target: `${e.relation}/${e.partition}`, reason: e.reason, data, at: e.at });
  return id;
}

/** A relation's drift events newest first, `after` the event a previous page ended with (`null`: no such event of this relation). */
export function* readDriftEvents(relation: string, partition: string | undefined, limit: number, after?: string): Query<DriftEvent[] | null> {
  let q = storage.selectFrom("DriftEvent").select(["id", "relation", "partition", "action", "actor", "reason", "data", "createdAt"]).where("relation", "=", relation);
  if (partition !== undefined) q = q.where("partition", "=", partition);
  if (after !== undefined) {
    const [at] = yield* selectAll(storage.selectFrom("DriftEvent").select("createdAt").where("id", "=", after).where("relation", "=", relation));
    if (!at) return null;
    const createdAt = toDate(at.createdAt);
    q = q.where((eb) => eb.or([eb("createdAt", "<", createdAt), eb.and([eb("createdAt", "=", createdAt), eb("id", "<", after)])]));
  }
  const rows = yield* selectAll(q.orderBy("createdAt", "desc").orderBy("id", "desc").limit(limit));
  return rows.map((r) => ({
    id: r.id, relation: r.relation, partition: r.partition, action: r.action as DriftAction,
    actor: r.actor, reason: r.reason ?? null, data: r.data === null ? null : toJson(r.data), createdAt: toDate(r.createdAt),
  }));
}

/** Partitions that have rows held back for a route. */
export function* heldPartitions(trigger: string, route: string): Query<string[]> {
  const rows = yield* selectAll(storage.selectFrom("PendingRow").select("partition").distinct().where("trigger", "=", trigger).where("route", "=", route).where("held", "=", true));
  return rows.map((r) => r.partition as string);
}

/** Lets a partition's held rows be fitted; returns how many. */
export function* releaseHeld(trigger: string, route: string, partition: string): Query<number> {
  return yield* execute(storage.updateTable("PendingRow").set({ held: false }).where("trigger", "=", trigger).where("route", "=", route).where("held", "=", true).where("partition", "=", partition));
}

/** Takes a dropped partition's held rows out of fitting for good (the rows stay stored). */
export function* dropHeld(trigger: string, route: string, partition: string): Query<number> {
  return yield* execute(storage.deleteFrom("PendingRow").where("trigger", "=", trigger).where("route", "=", route).where("held", "=", true).where("partition", "=", partition));
}

/**
 * Queues rows of some partitions for a drift refit of a route (set-based: rows are selected
 * in the database; `ids` narrows them when the route filters). Returns how many were queued.
 */
export function* queueRefit(trigger: string, route: string, relation: string, partitions: string[], ids: string[] | null, now: Date): Query<number> {
  if (partitions.length === 0) return 0;
  const queue = (chunk: string[] | null) => {
    let rows = storage.selectFrom("Row")
      .select((eb) => [eb.val(trigger).as("trigger"), eb.val(route).as("route"), "id as rowId", "partition", eb.val(false).as("held"), sql.lit("drift").as("reason"), eb.val(now).as("createdAt")])
      .where("relation", "=", relation).where("partition", "in", partitions);
    if (chunk) rows = rows.where("id", "in", chunk);
    return storage.insertInto("PendingRow").columns(["trigger", "route", "rowId", "partition", "held", "reason", "createdAt"]).expression(rows)
      // A row still waiting for its first fit is taken by the refit (it is fitted once, as a
      // refit); a row inside a running fit is read by that fit and not queued again.
      .onConflict((oc) => oc.columns(["trigger", "route", "rowId"]).doUpdateSet((eb) => ({ reason: sql.lit("drift"), held: eb.ref("excluded.held") })).where("PendingRow.fitRunId", "is", null));
  };
  if (ids === null) return yield* execute(queue(null));
  let queued = 0;
  for (let i = 0; i < ids.length; i += 500) queued += yield* execute(queue(ids.slice(i, i + 500)));
  return queued;
}

/** Ids (and data, when a route filters) of a relation's rows in some partitions. */
export function* rowsOfPartitions(relation: string, partitions: string[]): Query<{ id: string; partition: string; data: unknown }[]> {
  if (partitions.length === 0) return [];
  return yield* selectAll(storage.selectFrom("Row").select(["id", "partition", "data"]).where("relation", "=", relation).where("partition", "in", partitions).orderBy("id"));
}

