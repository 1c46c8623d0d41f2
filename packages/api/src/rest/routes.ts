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
  route("fits.list", "GET", "/fits", "Fit runs, newest first", out.fitsPage),
  route("fits.get", "GET", "/fits/{id}", "One fit run: rows, attempts, error, metrics, version produced", out.fitRunDetail),
  route("fits.retry", "POST", "/fits/{id}/retry", "Re-queue a dead-lettered fit run", out.fitRetried),
  route("state.outcomes", "GET", "/triggers/{trigger}/outcomes", "Per version: inferences, error and cache-hit rates, latency, labels with a good-rate and Wilson interval, fit metrics (`versions` repeated, or a page)", out.outcomesPage),
  route("state.diff", "GET", "/triggers/{trigger}/diff", "What moving `active` from `from` to `to` changes: keys, and the fits, rows and labels on each side", out.versionDiff),
  route("drift.relations", "GET", "/drift", "Relations with drift profiles: partition counts, open flags, held partitions", out.driftRelations),
  route("drift.alerts", "GET", "/drift/alerts", "Flagged, undecided partitions of every relation, newest first", out.driftPartitions),
  route("drift.partitions", "GET", "/drift/{relation}/partitions", "Verdicts of a relation's partitions in key order (`from`, `to`)", out.driftPartitions),
  route("drift.profile", "GET", "/drift/{relation}/partitions/{partition}", "One partition: summary, verdict, every compared statistic and the explanation", out.driftProfile),
  route("drift.series", "GET", "/drift/{relation}/series", "One statistic of one column over partitions, with the history band", out.driftSeries),
  route("drift.heatmap", "GET", "/drift/{relation}/heatmap", "|z| per column and partition", out.driftHeatmap),
  route("drift.events", "GET", "/drift/{relation}/events", "Flags, releases, drops, marks and refits, newest first", out.driftEvents),
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
  route("schedules.history", "GET", "/triggers/{trigger}/schedule/ticks", "A scheduled route's claimed ticks, newest first (`route` when the trigger has several)", out.scheduleHistory),
  route("schedules.runNow", "POST", "/triggers/{trigger}/schedule/run", "Run a scheduled route's fit now with the rows waiting so far (audited)", out.scheduleRan),
];
