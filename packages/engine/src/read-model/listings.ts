// Small operator listings the console and API page through: rows per relation, labels with
// the output they judge, and the audit log. Newest first, keyset on the time-sortable id.
// Typed queries (docs/layering.md).
import { decodeJson, selectAll, selectFirst, storage, toDate, toJsonOrNull, type Provider, type Query } from "@motion/db";
import { inferenceFeedback, type InferenceFeedback } from "./inference-search.ts";
import { pageOf, type Page } from "./page.ts";

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
  // Newest labels first, each joined to its inference: a page walks the labels' primary key and
  // stops at `limit`. SQLite would rather start from the trigger's inferences and sort all of
  // their labels (every label of the trigger, per page); a CROSS JOIN keeps labels the outer loop
  // (SQLite never reorders one). PostgreSQL's planner picks the walk itself.
  const from = storage.selectFrom("Feedback as f");
  let query = (provider === "sqlite" && filter.inferenceId === undefined
    ? from.crossJoin("Inference as i").whereRef("i.id", "=", "f.inferenceId")
    : from.innerJoin("Inference as i", "i.id", "f.inferenceId")
  ).selectAll("f").select(["i.trigger as trigger", "i.route as route", "i.output as output"]);
  // Labels carry their trigger: one trigger's labels are a range of (trigger, id), however rare.
  if (filter.trigger !== undefined) query = query.where("f.trigger", "=", filter.trigger);
  if (filter.inferenceId !== undefined) query = query.where("f.inferenceId", "=", filter.inferenceId);
  if (filter.label !== undefined) query = query.where("f.label", "=", filter.label);
  if (filter.actor !== undefined) query = query.where("f.actor", "=", filter.actor);
  if (filter.cursor) query = query.where("f.id", "<", filter.cursor);
  const rows = yield* selectAll(query.orderBy("f.id", "desc").limit(filter.limit + 1));
  return pageOf(
    rows.map((r) => ({ ...inferenceFeedback(r, provider), trigger: r.trigger, route: r.route, output: decodeJson(provider, r.output) })),
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
