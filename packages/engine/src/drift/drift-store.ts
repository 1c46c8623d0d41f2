// Storage of drift: profile deltas (one per ingest batch and partition), verdicts per
// partition, append-only events. Written once as query generators for both databases.
import { recordAudit } from "../audit-log.ts";
import { all, get, newId, run, toDate, toJson, type Provider, type Query } from "@motion/db";
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
  const { where, params } = rangeClause(relation, range);
  const rows = yield* all<{ partition: string; deltas: unknown; rows: unknown }>(
    `SELECT "partition", COUNT(*) AS "deltas", SUM("rows") AS "rows" FROM "DriftProfile" WHERE ${where} GROUP BY "partition" ORDER BY "partition"`,
    params,
  );
  return rows.map((r) => ({ partition: r.partition, deltas: Number(r.deltas), rows: Number(r.rows) }));
}

function rangeClause(relation: string, range: { from?: string; to?: string }): { where: string; params: unknown[] } {
  let where = `"relation" = ?`;
  const params: unknown[] = [relation];
  if (range.from !== undefined) {
    where += ` AND "partition" >= ?`;
    params.push(range.from);
  }
  if (range.to !== undefined) {
    where += ` AND "partition" <= ?`;
    params.push(range.to);
  }
  return { where, params };
}

/**
 * The stored profile rows of these partitions as the driver returns them (JSON text on SQLite,
 * parsed on PostgreSQL): the drift thread parses and merges them, not the caller's thread.
 */
export function* readProfileRows(relation: string, partitions: string[]): Query<{ id: string; partition: string; profile: string | ProfileJSON }[]> {
  if (partitions.length === 0) return [];
  return yield* all<{ id: string; partition: string; profile: string | ProfileJSON }>(
    `SELECT "id", "partition", "profile" FROM "DriftProfile" WHERE "relation" = ? AND "partition" IN (${partitions.map(() => "?").join(", ")}) ORDER BY "partition", "id"`,
    [relation, ...partitions],
  );
}

/** Another process compacted the same profile rows first; the caller re-reads. */
export class CompactionRace extends Error {}

/**
 * Replaces a partition's profile rows by their merge. The delete must take exactly the rows
 * that were merged: if another process got there first, nothing is written (no double count).
 */
export function* compactProfiles(relation: string, partition: string, ids: string[], merged: string, rows: number, now: Date): Query<string> {
  const deleted = yield* run(`DELETE FROM "DriftProfile" WHERE "id" IN (${ids.map(() => "?").join(", ")})`, ids);
  if (deleted !== ids.length) throw new CompactionRace(`profiles of ${relation}/${partition} were compacted concurrently`);
  const id = newId(now.getTime());
  yield* run(
    `INSERT INTO "DriftProfile" ("id", "relation", "partition", "rows", "profile", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`,
    [id, relation, partition, rows, merged, now],
  );
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

const VERDICT_COLUMNS = `"relation", "partition", "rows", "status", "valid", "score", "threshold", "history", "columns", "findings", "checkedAt", "decidedBy"`;

export function* readVerdicts(relation: string, range: { from?: string; to?: string } = {}, withFindings = true): Query<StoredVerdict[]> {
  const { where, params } = rangeClause(relation, range);
  const columns = withFindings ? VERDICT_COLUMNS : VERDICT_COLUMNS.replace(`"findings"`, `'[]' AS "findings"`);
  const rows = yield* all(`SELECT ${columns} FROM "DriftPartition" WHERE ${where} ORDER BY "partition"`, params);
  return rows.map(toVerdict);
}

export function* readVerdict(provider: Provider, relation: string, partition: string, forUpdate = false): Query<StoredVerdict | undefined> {
  const lock = forUpdate && provider === "postgresql" ? " FOR UPDATE" : "";
  const r = yield* get(`SELECT ${VERDICT_COLUMNS} FROM "DriftPartition" WHERE "relation" = ? AND "partition" = ?${lock}`, [relation, partition]);
  return r ? toVerdict(r) : undefined;
}

/** Flagged partitions not yet decided, newest verdict first. */
export function* readAlerts(limit: number): Query<StoredVerdict[]> {
  const rows = yield* all(
    `SELECT ${VERDICT_COLUMNS.replace(`"findings"`, `'[]' AS "findings"`)} FROM "DriftPartition" WHERE "status" IN ('drift', 'held') ORDER BY "checkedAt" DESC, "partition" DESC LIMIT ?`,
    [limit],
  );
  return rows.map(toVerdict);
}

export function* writeVerdict(v: StoredVerdict, exists: boolean): Query<void> {
  const values = [v.rows, v.status, v.valid, v.score, v.threshold, v.history, JSON.stringify(v.columns), v.findingsJson ?? JSON.stringify(v.findings), v.checkedAt, v.decidedBy];
  if (exists) {
    yield* run(
      `UPDATE "DriftPartition" SET "rows" = ?, "status" = ?, "valid" = ?, "score" = ?, "threshold" = ?, "history" = ?, "columns" = ?, "findings" = ?, "checkedAt" = ?, "decidedBy" = ? WHERE "relation" = ? AND "partition" = ?`,
      [...values, v.relation, v.partition],
    );
  } else {
    yield* run(`INSERT INTO "DriftPartition" (${VERDICT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [v.relation, v.partition, ...values]);
  }
}

/** An operator's decision on a partition: its new status and validity. */
export function* decideVerdict(relation: string, partition: string, status: DriftStatus, valid: boolean, actor: string, now: Date): Query<void> {
  yield* run(
    `UPDATE "DriftPartition" SET "status" = ?, "valid" = ?, "decidedBy" = ?, "decidedAt" = ? WHERE "relation" = ? AND "partition" = ?`,
    [status, valid, actor, now, relation, partition],
  );
}

/** Appends a drift event and its audit-log entry (same transaction as the change). */
export function* recordDriftEvent(e: { relation: string; partition: string; action: DriftAction; actor: string; reason: string | null; data: unknown; at: Date }): Query<string> {
  const id = newId(e.at.getTime());
  const data = e.data === undefined ? null : JSON.stringify(e.data);
  yield* run(
    `INSERT INTO "DriftEvent" ("id", "relation", "partition", "action", "actor", "reason", "data", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, e.relation, e.partition, e.action, e.actor, e.reason, data, e.at],
  );
  yield* recordAudit({ actor: e.actor, action: `drift.${e.action}`, target: `${e.relation}/${e.partition}`, reason: e.reason, data, at: e.at });
  return id;
}

export function* readDriftEvents(relation: string, partition: string | undefined, limit: number): Query<DriftEvent[]> {
  const rows = yield* all(
    `SELECT "id", "relation", "partition", "action", "actor", "reason", "data", "createdAt" FROM "DriftEvent" WHERE "relation" = ?${partition === undefined ? "" : ` AND "partition" = ?`} ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
    partition === undefined ? [relation, limit] : [relation, partition, limit],
  );
  return rows.map((r) => ({
    id: r.id as string, relation: r.relation as string, partition: r.partition as string, action: r.action as DriftAction,
    actor: r.actor as string, reason: (r.reason as string | null) ?? null, data: r.data === null ? null : toJson(r.data), createdAt: toDate(r.createdAt),
  }));
}

/** Partitions that have rows held back for a route. */
export function* heldPartitions(trigger: string, route: string): Query<string[]> {
  const rows = yield* all<{ partition: string }>(
    `SELECT DISTINCT "partition" FROM "PendingRow" WHERE "trigger" = ? AND "route" = ? AND "held" = ?`,
    [trigger, route, true],
  );
  return rows.map((r) => r.partition);
}

/** Lets a partition's held rows be fitted; returns how many. */
export function* releaseHeld(trigger: string, route: string, partition: string): Query<number> {
  return yield* run(`UPDATE "PendingRow" SET "held" = ? WHERE "trigger" = ? AND "route" = ? AND "held" = ? AND "partition" = ?`, [false, trigger, route, true, partition]);
}

/** Takes a dropped partition's held rows out of fitting for good (the rows stay stored). */
export function* dropHeld(trigger: string, route: string, partition: string): Query<number> {
  return yield* run(`DELETE FROM "PendingRow" WHERE "trigger" = ? AND "route" = ? AND "held" = ? AND "partition" = ?`, [trigger, route, true, partition]);
}

/**
 * Queues rows of some partitions for a drift refit of a route (set-based: rows are selected
 * in the database; `ids` narrows them when the route filters). Returns how many were queued.
 */
export function* queueRefit(trigger: string, route: string, relation: string, partitions: string[], ids: string[] | null, now: Date): Query<number> {
  if (partitions.length === 0) return 0;
  const head = `INSERT INTO "PendingRow" ("trigger", "route", "rowId", "partition", "held", "reason", "createdAt") SELECT ?, ?, "id", "partition", ?, 'drift', ? FROM "Row" WHERE "relation" = ? AND "partition" IN (${partitions.map(() => "?").join(", ")})`;
  const params = [trigger, route, false, now, relation, ...partitions];
  // A row still waiting for its first fit is taken by the refit (it is fitted once, as a refit);
  // a row inside a running fit is read by that fit and not queued again.
  const upsert = ` ON CONFLICT ("trigger", "route", "rowId") DO UPDATE SET "reason" = 'drift', "held" = excluded."held" WHERE "PendingRow"."fitRunId" IS NULL`;
  if (ids === null) return yield* run(head + upsert, params);
  let queued = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    queued += yield* run(`${head} AND "id" IN (${chunk.map(() => "?").join(", ")})${upsert}`, [...params, ...chunk]);
  }
  return queued;
}

/** Ids (and data, when a route filters) of a relation's rows in some partitions. */
export function* rowsOfPartitions(relation: string, partitions: string[]): Query<{ id: string; partition: string; data: unknown }[]> {
  if (partitions.length === 0) return [];
  return yield* all<{ id: string; partition: string; data: unknown }>(
    `SELECT "id", "partition", "data" FROM "Row" WHERE "relation" = ? AND "partition" IN (${partitions.map(() => "?").join(", ")}) ORDER BY "id"`,
    [relation, ...partitions],
  );
}

