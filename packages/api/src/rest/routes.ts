// The REST surface: which tRPC procedures are reachable as plain HTTP + JSON under `/api/v1`,
// at which method and path. Input, validation, tier and errors all come from the procedure
// itself (it is called, middleware and all); this table only adds the HTTP address and the
// documented answer. Path parameters are input fields of the same name.
import type { inferRouterOutputs } from "@trpc/server";
import type { z } from "zod";
import type { AppRouter } from "../root.ts";
import * as out from "./outputs.ts";

export const REST_BASE_PATH = "/api/v1";
export const OPENAPI_PATH = "/api/openapi.json";

export type RestMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RestRoute {
  /** Procedure path in the tRPC router, e.g. `rows.list`. */
  procedure: string;
  method: RestMethod;
  /** Below REST_BASE_PATH; `{field}` segments fill input fields. */
  path: string;
  summary: string;
  output: z.ZodType;
}

type Outputs = inferRouterOutputs<AppRouter>;
type OutputAt<P extends string> = P extends `${infer A}.${infer B}`
  ? A extends keyof Outputs
    ? B extends keyof Outputs[A]
      ? Outputs[A][B]
      : never
    : never
  : P extends keyof Outputs
    ? Outputs[P]
    : never;
/** The procedure's real output must be assignable to what the document promises. */
type Fits<Actual, Documented> = [Actual] extends [never] ? { error: "no such procedure" } : [Actual] extends [Documented] ? unknown : { error: "output does not fit its schema"; actual: Actual };

function route<P extends string, S extends z.ZodType>(procedure: P, method: RestMethod, path: string, summary: string, output: S & Fits<OutputAt<P>, z.output<S>>): RestRoute {
  return { procedure, method, path, summary, output };
}

export const REST_ROUTES: readonly RestRoute[] = [
  route("health", "GET", "/health", "Whether the server and its database answer", out.health),
  route("auth.me", "GET", "/me", "The caller (user or API key) and its role, or null", out.me),
  route("relations.list", "GET", "/relations", "Relations with their JSON Schema, row count and bound triggers, in declaration order", out.relationsPage),
  route("rows.list", "GET", "/relations/{relation}/rows", "Rows of a relation, newest first (`filter` is JSON: [{field, op, value}])", out.rowsPage),
  route("rows.add", "POST", "/relations/{relation}/rows", "Add a row: validates, stores and runs infer; returns the inferences", out.addedRow),
  route("rows.addMany", "POST", "/relations/{relation}/rows/batch", "Add up to 1000 rows in one transaction (one invalid row rejects all)", out.addedRows),
  route("rows.count", "GET", "/relations/{relation}/rows/count", "How many rows match (same filters as the list)", out.rowCount),
  route("rows.get", "GET", "/rows/{id}", "One row with its inferences and their feedback", out.rowDetail),
  route("rows.delete", "DELETE", "/rows/{id}", "Delete a row with its inferences, labels and pending fits (a reason is required; audited)", out.rowDeleted),
  route("rows.purge", "POST", "/relations/{relation}/purge", "Delete the rows stored before `before`, in audited batches; repeat while `done` is false", out.purged),
  route("inferences.list", "GET", "/inferences", "Inferences, newest first, with their input and feedback", out.inferencesPage),
  route("inferences.get", "GET", "/inferences/{id}", "One inference with its input and feedback", out.inferenceDetail),
  route("feedback.label", "POST", "/inferences/{inferenceId}/feedback", "Label an inference good or bad (optionally with a correction)", out.labeled),
  route("feedback.list", "GET", "/feedback", "Labels, newest first", out.feedbackPage),
  route("feedback.export", "GET", "/triggers/{trigger}/feedback/export", "Labeled inferences (latest label each) as OpenAI chat JSONL for fine-tuning, or raw JSON Lines / CSV, one page at a time", out.feedbackExport),
  route("triggers.list", "GET", "/triggers", "Triggers with routes, params, versions, pending rows and latency, in declaration order", out.triggersPage),
  route("triggers.get", "GET", "/triggers/{trigger}", "One trigger", out.trigger),
  route("triggers.correctionOptions", "GET", "/triggers/{trigger}/correction-options", "Values a correction field picked from a relation may take (`field` is its path, e.g. source), searched by value or label", out.correctionOptions),
  route("triggers.idle", "GET", "/status", "Whether all fits are idle (every process): per trigger, rows pending / held / claimed and runs running / retrying / dead-lettered", out.fitActivity),
  route("triggers.setParams", "PUT", "/triggers/{trigger}/params", "Replace a trigger's params (validated by its schema)", out.paramsSet),
  route("state.versions", "GET", "/triggers/{trigger}/versions", "State versions of a trigger, newest first", out.versionsPage),
  route("state.get", "GET", "/triggers/{trigger}/versions/{version}", "One state version: metadata and a preview of each value", out.stateVersion),
  route("state.aliasHistory", "GET", "/triggers/{trigger}/aliases", "Every move of `active` / `latest`, newest first", out.aliasHistory),
  route("state.rollback", "POST", "/triggers/{trigger}/rollback", "Point `active` at an earlier version (a reason is required)", out.rolledBack),
  route("state.collect", "POST", "/triggers/{trigger}/state/collect", "State GC now: delete the values of versions beyond the newest `keepVersions` (default: the trigger's retention) that no alias points at; manifests stay", out.stateCollected),
  route("state.migrations", "GET", "/triggers/{trigger}/migrations", "The trigger's state schema and its declared migration steps", out.stateMigrations),
  route("state.migrate", "POST", "/triggers/{trigger}/state/migrate", "Migrate `active` and `latest` to the trigger's state schema `to` now (as opening Motion does): new versions, moved by `migration:<to>`", out.stateMigrated),
  route("state.unpin", "POST", "/triggers/{trigger}/unpin", "Let `active` follow `latest` again after a pinned rollback", out.unpinned),
  route("experiments.get", "GET", "/triggers/{trigger}/experiment", "Active, candidate, pin, shadow/canary shares and the promotion rule (declared or set at run time)", out.experiment),
  route("experiments.settings", "PUT", "/triggers/{trigger}/experiment", "Set shadow/canary shares and the promotion rule at run time (omitted parts kept; `rule: null` removes it)", out.experiment),
  route("experiments.setCandidate", "POST", "/triggers/{trigger}/candidate", "Point `candidate` at an existing version other than active", out.candidateSet),
  route("experiments.promote", "POST", "/triggers/{trigger}/promote", "Candidate becomes active (the pin is kept) and the candidate is cleared (a reason is required)", out.promoted),
  route("experiments.abort", "POST", "/triggers/{trigger}/abort", "Clear the candidate: shadow and canary stop (a reason is required)", out.aborted),
  route("experiments.evaluate", "POST", "/triggers/{trigger}/experiment/evaluate", "Run the promotion rule now; a promote/abort decision is applied as a move by rule:<name>", out.promotionEvaluation),
  route("experiments.shadowRows", "GET", "/triggers/{trigger}/shadow", "Shadowed rows newest first: both answers, the caller's label and the shadow's implied verdict", out.shadowRowsPage),
  route("experiments.shadowSummary", "GET", "/triggers/{trigger}/shadow/summary", "Active and candidate `version` on the same shadowed inputs: counts and good-rates with intervals", out.shadowSummary),
  route("experiments.history", "GET", "/triggers/{trigger}/candidate/history", "Every move of `candidate` (set, promoted, aborted), newest first", out.candidateHistory),
  route("experiments.variants", "GET", "/triggers/{trigger}/variants", "Params variants: the default and each variant's overrides, effective params, hash and weight", out.variants),
  route("experiments.addVariant", "POST", "/triggers/{trigger}/variants", "Add a params variant (validated against the trigger's params schema; audited)", out.variants),
  route("experiments.setVariantWeights", "PUT", "/triggers/{trigger}/variants/weights", "Set variants' weights by name (sum at most 1; the default gets the rest)", out.variants),
  route("experiments.removeVariant", "DELETE", "/triggers/{trigger}/variants/{name}", "Remove a params variant; its past inferences keep their params hash", out.variants),
  route("fits.list", "GET", "/fits", "Fit runs, newest first", out.fitsPage),
  route("fits.get", "GET", "/fits/{id}", "One fit run: rows, attempts, error, metrics, version produced", out.fitRunDetail),
  route("fits.retry", "POST", "/fits/{id}/retry", "Re-queue a dead-lettered fit run", out.fitRetried),
  route("state.outcomes", "GET", "/triggers/{trigger}/outcomes", "Per version: inferences, error and cache-hit rates, latency, labels with a good-rate and Wilson interval, fit metrics (`versions` repeated, or a page)", out.outcomesPage),
  route("state.outcomesOverTime", "GET", "/triggers/{trigger}/outcomes/over-time", "Outcomes per hour (ranges up to 7 days) or UTC day of `versions` (repeated) or `paramsHashes` (repeated, optional `version`), `from`/`to`", out.outcomesOverTime),
  route("state.diff", "GET", "/triggers/{trigger}/diff", "What moving `active` from `from` to `to` changes: keys, and the fits, rows and labels on each side", out.versionDiff),
  route("drift.relations", "GET", "/drift", "Relations with drift profiles: partition counts, open flags, held partitions", out.driftRelations),
  route("drift.alerts", "GET", "/drift/alerts", "Flagged, undecided partitions of every relation, newest first, a page at a time", out.driftAlerts),
  route("drift.partitions", "GET", "/drift/{relation}/partitions", "Verdicts of a relation's partitions in key order (`from`, `to`)", out.driftPartitions),
  route("drift.profile", "GET", "/drift/{relation}/partitions/{partition}", "One partition: summary, verdict, every compared statistic and the explanation", out.driftProfile),
  route("drift.series", "GET", "/drift/{relation}/series", "One statistic of one column over partitions, with the history band", out.driftSeries),
  route("drift.heatmap", "GET", "/drift/{relation}/heatmap", "|z| per column and partition", out.driftHeatmap),
  route("drift.events", "GET", "/drift/{relation}/events", "Flags, releases, drops, marks and refits, newest first, a page at a time", out.driftEvents),
  route("drift.check", "POST", "/drift/{relation}/check", "Judge the relation's closed, unjudged partitions now", out.driftPartitions),
  route("drift.release", "POST", "/drift/{relation}/partitions/{partition}/release", "A flagged partition's rows may be fitted after all (a reason is required)", out.driftPartition),
  route("drift.drop", "POST", "/drift/{relation}/partitions/{partition}/drop", "A flagged partition's rows are kept but never fitted (a reason is required)", out.driftPartition),
  route("drift.markValid", "POST", "/drift/{relation}/partitions/{partition}/mark-valid", "The partition counts as history for later ones (a reason is required)", out.driftPartition),
  route("users.list", "GET", "/users", "Operators, newest first", out.usersPage),
  route("users.create", "POST", "/users", "Create an operator with a role", out.userCreated),
  route("users.setRole", "PUT", "/users/{userId}/role", "Change an operator's role (the last admin stays)", out.userRoleSet),
  route("users.disable", "POST", "/users/{userId}/disable", "Disable an operator: sessions end and their API keys are revoked at once", out.userDisabled),
  route("users.enable", "POST", "/users/{userId}/enable", "Let a disabled operator sign in again (revoked keys stay revoked)", out.userEnabled),
  route("users.delete", "DELETE", "/users/{userId}", "Delete an operator with their sessions; their keys stay listed, revoked", out.userDeleted),
  route("users.setPassword", "PUT", "/users/{userId}/password", "Set a new password; every session of the operator ends", out.passwordSet),
  route("apiKeys.list", "GET", "/api-keys", "API keys, newest first (`includeRevoked`)", out.apiKeysPage),
  route("apiKeys.create", "POST", "/api-keys", "Create a key owned by the caller; the key itself is in this answer only", out.apiKeyCreated),
  route("apiKeys.revoke", "POST", "/api-keys/{id}/revoke", "Revoke a key at once", out.apiKeyRevoked),
  route("audit.list", "GET", "/audit", "The audit log, newest first (`action`, `actor`)", out.auditPage),
  route("schedules.list", "GET", "/schedules", "Scheduled routes: cron, time zone, missed-tick policy, next run and last run", out.schedules),
  route("schedules.history", "GET", "/triggers/{trigger}/schedule/ticks", "A scheduled route's claimed ticks, newest first, paged (`route` when the trigger has several; `cursor`: the previous page's `nextCursor`)", out.scheduleHistory),
  route("schedules.runNow", "POST", "/triggers/{trigger}/schedule/run", "Run a scheduled route's fit now with the rows waiting so far (audited)", out.scheduleRan),
  route("schedules.preview", "GET", "/schedules/preview", "The next instants of a cron expression in a time zone (check one before it goes into code)", out.schedulePreview),
  route("state.evaluate", "GET", "/triggers/{trigger}/evaluate", "The trigger's own `evaluate` (e.g. hit@k) on each version over its latest labels (`versions` repeated)", out.evaluation),
  route("stats.overview", "GET", "/stats/overview", "Per trigger and bucket over the last `minutes`: inferences, errors, latency p50/p99, fits and their durations", out.overview),
  route("fits.retryMany", "POST", "/fits/retry", "Re-queue several dead-lettered fit runs with one reason (runs no longer dead-lettered are skipped and named)", out.fitsRetried),
  route("review.next", "POST", "/triggers/{trigger}/review/next", "The next inference to label (`filter`: unlabeled, good, bad), locked for the caller; null when none is free", out.reviewNext),
  route("review.release", "POST", "/review/{inferenceId}/release", "Give a locked item back (only the caller's own lock)", out.reviewReleased),
  route("review.progress", "GET", "/triggers/{trigger}/review/progress", "Labeled and remaining inferences, per labeler, and what is being worked on now", out.reviewProgress),
  route("feedback.score", "POST", "/inferences/{inferenceId}/scores", "Give scores (declared by the trigger's `scores`) to an inference", out.scored),
  route("queues.list", "GET", "/queues", "Named review queues with progress, paged: the caller's assigned ones first, then the others, each newest first (`mine`: only the caller's)", out.reviewQueues),
  route("queues.get", "GET", "/queues/{id}", "One review queue with progress and assignees", out.reviewQueueForCaller),
  route("queues.create", "POST", "/queues", "Create a review queue fed by a filter and/or a seeded sample (large feeds answer with status filling)", out.reviewQueue),
  route("queues.update", "PUT", "/queues/{id}", "Rename a queue, change its description or assignees", out.reviewQueue),
  route("queues.delete", "DELETE", "/queues/{id}", "Delete a queue (its labels stay)", out.queueDeleted),
  route("queues.next", "POST", "/queues/{queueId}/next", "The next pending item of the queue, locked for the caller; null when none is free", out.reviewNext),
  route("queues.complete", "POST", "/queues/{queueId}/items/{inferenceId}/complete", "Label and/or score an item and mark it done (409 while another labeler holds it)", out.queueCompleted),
  route("queues.skip", "POST", "/queues/{queueId}/items/{inferenceId}/skip", "Skip an item the caller holds", out.queueSkipped),
];
