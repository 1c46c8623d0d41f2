// Small operator listings the console and API page through: rows per relation, labels with
// the output they judge, and the audit log. Newest first, keyset on the time-sortable id.
// Typed queries (docs/layering.md) except the labels' join, whose SQLite CROSS JOIN steers the
// planner (see listFeedback).
import { all, decodeJson, selectAll, selectFirst, storage, toDate, toJsonOrNull, type Provider, type Query } from "@motion/db";
import { inferenceFeedback, type InferenceFeedback } from "./inference-search.ts";
import { Conditions, pageOf, type Page } from "./page.ts";

/** Whether any row is stored at all (one index probe: a first start seeds only an empty database). */
export function* readHasRows(): Query<boolean> {
  return (yield* selectFirst(storage.selectFrom("Row").select("id").limit(1))) !== undefined;
}

export interface FeedbackFilter {
  trigger?: string;
  inferenceId?: string;
  label?: "good" | "bad";
  actor?: string;
  cursor?: string | null;
  limit: number;
}

export interface FeedbackListItem extends InferenceFeedback {
  trigger: string;
  route: string;
  /** The output the label judges. */
  output: unknown;
}

export function* listFeedback(provider: Provider, filter: FeedbackFilter): Query<Page<FeedbackListItem>> {
  const where = new Conditions();
  // Labels carry their trigger: one trigger's labels are a range of (trigger, id), however rare.
  if (filter.trigger !== undefined) where.add(`f."trigger" = ?`, filter.trigger);
  if (filter.inferenceId !== undefined) where.add(`f."inferenceId" = ?`, filter.inferenceId);
  if (filter.label !== undefined) where.add(`f."label" = ?`, filter.label);
  if (filter.actor !== undefined) where.add(`f."actor" = ?`, filter.actor);
  if (filter.cursor) where.add(`f."id" < ?`, filter.cursor);
  // Newest labels first, each joined to its inference: a page walks the labels' primary key and
  // stops at `limit`. SQLite would rather start from the trigger's inferences and sort all of
  // their labels (every label of the trigger, per page); CROSS JOIN keeps labels the outer loop.
  // PostgreSQL's planner picks the walk itself.
  const join = provider === "sqlite" && filter.inferenceId === undefined ? "CROSS JOIN" : "JOIN";
  const rows = yield* all<Record<string, unknown>>(
    `SELECT f.*, i."trigger" AS "trigger", i."route" AS "route", i."output" AS "output" FROM "Feedback" f ${join} "Inference" i ON i."id" = f."inferenceId" ${where.sql()} ORDER BY f."id" DESC LIMIT ?`,
    [...where.params, filter.limit + 1],
  );
  return pageOf(
    rows.map((r) => ({ ...inferenceFeedback(r, provider), trigger: r.trigger as string, route: r.route as string, output: decodeJson(provider, r.output) })),
    filter.limit,
  );
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  cursor?: string | null;
  limit: number;
}

export interface AuditEvent {
  id: string;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  data: unknown;
  createdAt: Date;
}

export function* listAuditEvents(filter: AuditFilter): Query<Page<AuditEvent>> {
  let query = storage.selectFrom("AuditEvent").selectAll();
  if (filter.action) query = query.where("action", "=", filter.action);
  if (filter.actor) query = query.where("actor", "=", filter.actor);
  if (filter.cursor) query = query.where("id", "<", filter.cursor);
  const rows = yield* selectAll(query.orderBy("id", "desc").limit(filter.limit + 1));
  return pageOf(
    rows.map((r) => ({ id: r.id, actor: r.actor, action: r.action, target: r.target, reason: r.reason ?? null, data: toJsonOrNull(r.data), createdAt: toDate(r.createdAt) })),
    filter.limit,
  );
}
