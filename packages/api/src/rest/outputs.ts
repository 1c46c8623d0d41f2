// What REST answers look like, for the OpenAPI document only: procedures have no `.output()`
// (an output parser would run on every tRPC call and strip fields it does not know). The route
// table checks at compile time that each procedure's real output fits its schema here, so a
// documented field cannot silently change type. Dates go over REST as ISO 8601 strings.
import { z } from "zod";

/** A Date in the procedure's output; JSON.stringify sends it as an ISO 8601 string. */
export const timestamp = z.date();
/** Any JSON value (row data, inference output, corrections). */
const json = z.unknown().meta({ description: "any JSON value" });

const page = <T extends z.ZodType>(item: T, cursor: z.ZodType = z.string()) =>
  z.object({ items: z.array(item), nextCursor: cursor.nullable().meta({ description: "pass as `cursor` for the next page; null on the last" }) });

export const health = z.object({ ok: z.boolean(), version: z.string(), database: z.string(), app: z.string() }).meta({ id: "Health" });

export const me = z
  .object({ kind: z.enum(["user", "apiKey"]), id: z.string(), email: z.string().optional(), name: z.string().optional(), role: z.enum(["viewer", "labeler", "admin"]) })
  .nullable()
  .meta({ id: "Caller", description: "the caller, or null when anonymous" });

export const relation = z
  .object({
    name: z.string(),
    key: z.string().nullable(),
    schema: json.meta({ description: "JSON Schema of the relation's rows" }),
    rowCount: z.number(),
    retention: z.object({ days: z.number() }).nullable().meta({ description: "rows stored more than `days` ago are deleted; null: kept forever" }),
    triggers: z.array(z.object({ trigger: z.string(), route: z.string(), infer: z.boolean(), fit: z.boolean() })),
  })
  .meta({ id: "Relation" });
export const relationsPage = page(relation).meta({ id: "RelationPage" });

export const inference = z
  .object({
    id: z.string(),
    rowId: z.string(),
    relation: z.string(),
    trigger: z.string(),
    route: z.string(),
    output: json,
    error: z.string().nullable(),
    stateVersion: z.number(),
    paramsHash: z.string(),
    cached: z.boolean(),
    latencyMs: z.number(),
    createdAt: timestamp,
  })
  .meta({ id: "Inference" });

export const feedback = z
  .object({ id: z.string(), inferenceId: z.string(), label: z.enum(["good", "bad"]), correction: json, note: z.string().nullable(), actor: z.string(), createdAt: timestamp })
  .meta({ id: "Feedback" });

export const inferenceDetail = inference.extend({ input: json.meta({ description: "the row's data" }), feedback: z.array(feedback) }).meta({ id: "InferenceDetail" });

const row = z.object({ id: z.string(), key: z.string().nullable(), createdAt: timestamp, data: json }).meta({ id: "Row" });
export const rowsPage = page(row).meta({ id: "RowPage" });
export const rowDetail = row
  .extend({ relation: z.string(), partition: z.string(), inferences: z.array(inference.extend({ feedback: z.array(feedback) })) })
  .meta({ id: "RowDetail" });

export const addedRow = z
  .object({
    id: z.string(),
    relation: z.string(),
    key: z.string().nullable(),
    createdAt: timestamp,
    data: json,
    inferences: z.array(
      z.object({
        id: z.string(), trigger: z.string(), route: z.string(), output: json, error: z.string().nullable(), stateVersion: z.number(),
        paramsHash: z.string().meta({ description: "hash of the params infer ran with (a params variant's own)" }), cached: z.boolean(), latencyMs: z.number(),
      }),
    ),
  })
  .meta({ id: "AddedRow", description: "the stored row with the inferences made on it" });
export const addedRows = z.array(addedRow);

export const inferencesPage = page(inferenceDetail).meta({ id: "InferencePage" });

export const labeled = z.object({ id: z.string(), rowId: z.string(), inferenceId: z.string(), label: z.enum(["good", "bad"]) }).meta({ id: "Labeled" });
export const feedbackPage = page(feedback.extend({ trigger: z.string(), route: z.string(), output: json })).meta({ id: "FeedbackPage" });

export const fitRun = z
  .object({
    id: z.string(),
    trigger: z.string(),
    route: z.string(),
    relation: z.string(),
    status: z.enum(["queued", "running", "succeeded", "failed", "superseded", "skipped"]),
    rowCount: z.number(),
    attempts: z.number(),
    maxAttempts: z.number(),
    baseVersion: z.number().nullable(),
    producedVersion: z.number().nullable(),
    error: z.string().nullable(),
    deadLettered: z.boolean(),
    metrics: z.record(z.string(), z.number()).nullable(),
    queuedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    durationMs: z.number().nullable(),
    reason: z.string().nullable().meta({ description: "why the run exists beyond new rows: drift (a drift refit), schedule (a scheduled tick), or null" }),
  })
  .meta({ id: "FitRun" });
export const fitsPage = page(fitRun).meta({ id: "FitRunPage" });
const fitLogs = z
  .object({
    entries: z.array(z.object({ at: z.number(), level: z.enum(["debug", "info", "warn", "error"]), msg: z.string(), data: json.optional() })),
    dropped: z.number().int().meta({ description: "log calls past the first 200 of the attempt, counted but not kept" }),
  })
  .meta({ id: "FitLogs" });
export const fitRunDetail = fitRun
  .extend({
    rowIds: z.array(z.string()),
    params: json,
    paramsHash: z.string(),
    errorStack: z.string().nullable(),
    logs: fitLogs.nullable().meta({ description: "what the successful attempt logged with `log` (null: nothing)" }),
    failedAttempts: z
      .array(
        z.object({
          id: z.string(),
          attempt: z.number().int(),
          outcome: z.enum(["failed", "timeout", "died"]),
          error: z.string(),
          errorStack: z.string().nullable(),
          logs: fitLogs.nullable(),
          owner: z.string().nullable(),
          durationMs: z.number().nullable(),
          at: timestamp,
        }),
      )
      .meta({ description: "every failed attempt, oldest first (at most 100)" }),
    retries: z.array(z.object({ actor: z.string(), reason: z.string().nullable(), at: timestamp })).meta({ description: "operators' retries of this run" }),
  })
  .meta({ id: "FitRunDetail" });
export const fitRetried = z.object({ id: z.string(), status: z.literal("queued") });

export const correctionOptions = z
  .object({
    trigger: z.string(),
    field: z.array(z.string()),
    relation: z.string(),
    relationField: z.string(),
    items: z.array(z.object({ value: z.string(), label: z.string().nullable() })),
    more: z.boolean().meta({ description: "more values match than `limit`: narrow the search" }),
  })
  .meta({ id: "CorrectionOptions" });

export const trigger = z
  .object({
    name: z.string(),
    routes: z.array(z.object({
      name: z.string(), relation: z.string(), infer: z.boolean(), fit: z.boolean(), batchSize: z.number(), maxWaitMs: z.number(), onDrift: z.enum(["notify", "hold", "refit"]),
      schedule: z.object({ cron: z.string(), timezone: z.string(), missed: z.enum(["runOnce", "skip"]) }).nullable().meta({ description: "the route fits on this cron schedule instead of per batch; null: per batch" }),
    })),
    params: json.meta({ description: "the trigger's params (an object)" }),
    paramsHash: z.string(),
    paramsSchema: json.meta({ description: "JSON Schema of the trigger's params" }),
    correctionSchema: json.meta({ description: "JSON Schema a correction must match (fields picked from a relation carry motion.optionsFrom), or null: any JSON" }),
    retry: z.object({ maxAttempts: z.number(), backoffMs: z.number(), maxBackoffMs: z.number() }),
    activeVersion: z.number().nullable(),
    latestVersion: z.number().nullable(),
    pinned: z.boolean(),
    pendingRows: z.number(),
    heldRows: z.number().meta({ description: "of the pending rows, those held back by drift" }),
    scheduledRows: z.number().meta({ description: "rows of scheduled routes waiting for their next tick (not in pendingRows)" }),
    deadLettered: z.number(),
    lastFit: fitRun.nullable(),
    fitRate: z.object({ windowMinutes: z.number(), succeeded: z.number(), failed: z.number(), perMinute: z.number(), successRate: z.number().nullable() }),
    latency: z.object({ sample: z.number(), p50: z.number().nullable(), p99: z.number().nullable() }),
  })
  .meta({ id: "Trigger" });
export const triggersPage = page(trigger).meta({ id: "TriggerPage" });
export const fitActivity = z
  .object({
    idle: z.boolean().meta({ description: "every trigger is idle" }),
    triggers: z.array(
      z.object({
        trigger: z.string(),
        pending: z.number().meta({ description: "rows waiting for a fit" }),
        held: z.number().meta({ description: "rows held back by drift" }),
        scheduled: z.number().meta({ description: "rows of scheduled routes waiting for their next tick (not counted as pending)" }),
        claimed: z.number().meta({ description: "rows taken by a run that is running or waiting for its retry" }),
        running: z.number(),
        retrying: z.number().meta({ description: "runs waiting for their retry backoff" }),
        deadLettered: z.number(),
        pinned: z.boolean(),
        nextRetryAt: timestamp.nullable(),
        idle: z.boolean().meta({ description: "no fit runs and, unless pinned, no row is pending and no retry waits" }),
      }),
    ),
  })
  .meta({ id: "FitActivity" });
export const paramsSet = z.object({ trigger: z.string(), params: json, paramsHash: z.string() }).meta({ id: "ParamsSet" });

export const versionsPage = page(
  z
    .object({
      version: z.number(),
      parent: z.number().nullable(),
      fitRunId: z.string().nullable(),
      size: z.number(),
      checksum: z.string(),
      keys: z.number(),
      createdAt: timestamp,
      collectedAt: timestamp.nullable().meta({ description: "when the state GC (trigger retention.keepVersions) deleted this version's values; its manifest stays" }),
      schema: z.number().meta({ description: "the trigger's state schema version this state is in (stateSchema; 1 before migrations)" }),
      aliases: z.array(z.string()),
      pinned: z.boolean(),
    })
    .meta({ id: "StateVersion" }),
  z.number(),
).meta({ id: "StateVersionPage" });
export const rolledBack = z
  .object({
    trigger: z.string(), from: z.number(), to: z.number(), pinned: z.boolean(),
    requeuedLabels: z.number().meta({ description: "labels queued to be fitted again (refitLabels)" }),
    migratedFrom: z.number().nullable().meta({ description: "the version asked for when it was in an older state schema: `to` is its migration (a new version); null otherwise" }),
  })
  .meta({ id: "RolledBack" });
export const stateMigrations = z
  .object({ trigger: z.string(), stateSchema: z.number(), steps: z.array(z.object({ from: z.number(), to: z.number() })) })
  .meta({ id: "StateMigrations" });
export const stateMigrated = z
  .object({
    trigger: z.string(), schema: z.number(),
    migrated: z.boolean().meta({ description: "false: active and latest were already in this schema" }),
    moves: z.array(z.object({ alias: z.enum(["active", "latest"]), from: z.number(), to: z.number(), fromSchema: z.number() })),
  })
  .meta({ id: "StateMigrated" });
export const stateCollected = z
  .array(
    z.object({
      trigger: z.string(), keepVersions: z.number(),
      versions: z.number().meta({ description: "versions marked collected by this call" }),
      blobs: z.number(), bytes: z.number().meta({ description: "bytes of state values deleted" }), batches: z.number(),
    }),
  )
  .meta({ id: "StateCollected" });
export const unpinned = z.object({ trigger: z.string(), pinned: z.boolean() });

export const rowCount = z.object({ count: z.number() });
export const rowDeleted = z
  .object({
    id: z.string(), relation: z.string(), key: z.string().nullable(),
    rowIds: z.array(z.string()).meta({ description: "every row deleted: this one, then the feedback rows mirroring labels on it" }),
    inferences: z.number(), feedback: z.number(), pendingFits: z.number(),
  })
  .meta({ id: "RowDeleted" });
export const purged = z
  .object({
    relation: z.string(), before: timestamp, rows: z.number(), inferences: z.number(), feedback: z.number(),
    keptPending: z.number().meta({ description: "rows kept because no fit has taken them yet" }),
    batches: z.number(),
    done: z.boolean().meta({ description: "false: the call stopped at its time budget; call again to go on" }),
  })
  .meta({ id: "Purged" });

export const stateVersion = z
  .object({
    trigger: z.string(),
    version: z.number(),
    parent: z.number().nullable(),
    fitRunId: z.string().nullable(),
    size: z.number(),
    checksum: z.string(),
    createdAt: timestamp,
    collectedAt: timestamp.nullable(),
    schema: z.number(),
    aliases: z.array(z.string()),
    pinned: z.boolean(),
    totalKeys: z.number(),
    entries: z.array(
      z.object({
        key: z.string(),
        kind: z.string().meta({ description: "json, or a binary kind (f32, u8, buffer, …)" }),
        size: z.number(),
        checksum: z.string(),
        binary: z.object({ type: z.string(), length: z.number() }).nullable(),
        value: json.optional().meta({ description: "the JSON value when it fits the 4 KB preview; absent otherwise" }),
        preview: z.string().nullable(),
        truncated: z.boolean(),
        summary: z.string(),
      }),
    ),
  })
  .meta({ id: "StateVersionDetail", description: "A version's metadata and a preview of each value (at most 500 keys)" });

export const aliasHistory = page(
  z.object({ id: z.string(), alias: z.string(), fromVersion: z.number().nullable(), toVersion: z.number(), actor: z.string(), reason: z.string().nullable(), createdAt: timestamp }).meta({ id: "AliasEvent" }),
).meta({ id: "AliasEventPage" });

export const feedbackExport = z
  .object({
    format: z.enum(["openai-jsonl", "jsonl", "csv"]),
    trigger: z.string(),
    lines: z.number(),
    skipped: z.number().meta({ description: "labeled inferences the trigger's training mapping left out (openai-jsonl)" }),
    content: z.string().meta({ description: "this page's part of the file: OpenAI chat JSONL, JSON Lines or CSV (the header comes with the first page); concatenate the pages" }),
    nextCursor: z.string().nullable().meta({ description: "pass as `cursor` for the next page; null on the last" }),
  })
  .meta({ id: "FeedbackExport" });

// Operators and their keys (admin).
const role = z.enum(["viewer", "labeler", "admin"]);
export const user = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role, createdAt: timestamp, updatedAt: timestamp, disabledAt: timestamp.nullable(), disabledBy: z.string().nullable() })
  .meta({ id: "User" });
export const usersPage = page(user).meta({ id: "UserPage" });
export const userCreated = z.object({ id: z.string(), email: z.string(), role }).meta({ id: "UserCreated" });
export const userRoleSet = z.object({ id: z.string(), email: z.string(), role, previousRole: role }).meta({ id: "UserRoleSet" });
export const userDisabled = z
  .object({ id: z.string(), email: z.string(), disabledAt: timestamp, sessionsEnded: z.number(), keysRevoked: z.number().meta({ description: "API keys the user owned, revoked with them" }) })
  .meta({ id: "UserDisabled" });
export const userEnabled = z.object({ id: z.string(), email: z.string(), disabledAt: z.null() }).meta({ id: "UserEnabled" });
export const userDeleted = z.object({ id: z.string(), email: z.string(), deleted: z.literal(true), sessionsEnded: z.number(), keysRevoked: z.number() }).meta({ id: "UserDeleted" });
export const passwordSet = z.object({ id: z.string(), email: z.string(), sessionsEnded: z.number() }).meta({ id: "PasswordSet" });
export const apiKey = z
  .object({ id: z.string(), name: z.string(), role, prefix: z.string(), createdAt: timestamp, expiresAt: timestamp.nullable(), revokedAt: timestamp.nullable(), status: z.string() })
  .meta({ id: "ApiKey" });
export const apiKeysPage = page(apiKey).meta({ id: "ApiKeyPage" });
export const apiKeyCreated = z
  .object({ id: z.string(), name: z.string(), role, prefix: z.string(), createdAt: timestamp, expiresAt: timestamp.nullable(), ownerId: z.string().nullable(), key: z.string().meta({ description: "the key itself: shown once, never stored" }) })
  .meta({ id: "ApiKeyCreated" });
export const apiKeyRevoked = z.object({ id: z.string(), revokedAt: timestamp }).meta({ id: "ApiKeyRevoked" });
export const auditPage = page(
  z.object({ id: z.string(), actor: z.string(), action: z.string(), target: z.string().nullable(), reason: z.string().nullable(), data: json, createdAt: timestamp }).meta({ id: "AuditEntry" }),
).meta({ id: "AuditPage" });

// Comparing versions.
const figures = {
  inferences: z.number(),
  errors: z.number(),
  errorRate: z.number().nullable(),
  cached: z.number(),
  cacheHitRate: z.number().nullable(),
  latencyMs: z.object({ mean: z.number(), p50: z.number(), p99: z.number() }).nullable(),
  feedback: z.object({ good: z.number(), bad: z.number(), corrected: z.number(), labeled: z.number() }).meta({ description: "by each inference's latest label, with the good-rate and its Wilson 95% interval" }),
};
export const versionOutcomes = z
  .object({ version: z.number(), parent: z.number().nullable(), createdAt: timestamp, fit: json.meta({ description: "the fit that produced the version (metrics, rows), null for version 0" }), ...figures, byParams: z.array(z.object({ paramsHash: z.string(), ...figures })) })
  .meta({ id: "VersionOutcomes" });
export const outcomesPage = page(versionOutcomes, z.number()).meta({ id: "VersionOutcomesPage" });
export const outcomesOverTime = z
  .object({
    trigger: z.string(),
    from: timestamp,
    to: timestamp.meta({ description: "the range read, widened to whole buckets: [from, to)" }),
    bucket: z.enum(["hour", "day"]).meta({ description: "hours up to 7 days, UTC days beyond" }),
    bucketMs: z.number(),
    series: z.array(
      z.object({
        version: z.number().nullable(),
        paramsHash: z.string().nullable(),
        points: z.array(z.object({ t: z.number().meta({ description: "bucket start, epoch ms" }), ...figures })).meta({ description: "buckets with inferences or labels, oldest first; a label counts in its inference's bucket" }),
      }),
    ),
  })
  .meta({ id: "OutcomesOverTime" });
const versionSide = z.object({ version: z.number(), size: z.number(), checksum: z.string(), createdAt: timestamp, keys: z.number() });
export const versionDiff = z
  .object({
    trigger: z.string(),
    from: versionSide,
    to: versionSide,
    direction: z.enum(["same", "back", "forward", "across"]).meta({ description: "back: `to` is an ancestor of `from` (a rollback); forward: a descendant; across: another branch" }),
    ancestor: z.number(),
    keys: z.array(json).meta({ description: "changed keys with sizes, checksums and a bounded JSON diff" }),
    keysTruncated: z.boolean(),
    unchanged: z.number(),
    dropped: json.meta({ description: "fits, rows and labels fitted into `from` since the common ancestor" }),
    added: json.meta({ description: "fits, rows and labels fitted into `to` since the common ancestor" }),
  })
  .meta({ id: "VersionDiff" });

// Drift findings, holds and decisions.
export const driftRelations = z
  .array(z.object({ relation: z.string(), granularity: z.string(), profiled: z.boolean(), partitions: z.number(), open: z.number(), held: z.number(), lastPartition: z.string().nullable() }))
  .meta({ id: "DriftRelations" });
export const driftPartition = z
  .object({
    relation: z.string(),
    partition: z.string(),
    rows: z.number(),
    status: z.string().meta({ description: "the verdict: ok, drift, held, released, dropped, …" }),
    score: z.number().nullable(),
    threshold: z.number(),
    columns: z.array(json).meta({ description: "responsible columns, strongest first" }),
    history: z.number(),
    valid: z.boolean(),
    checkedAt: timestamp.nullable(),
  })
  .meta({ id: "DriftPartition" });
export const driftPartitions = z.array(driftPartition).meta({ id: "DriftPartitions" });
export const driftAlerts = page(driftPartition).meta({ id: "DriftAlerts" });
export const driftProfile = z
  .object({ relation: z.string(), partition: z.string(), rows: z.number(), summary: json, verdict: driftPartition.nullable(), findings: z.array(json), explanation: z.array(z.string()) })
  .meta({ id: "DriftProfile" });
export const driftSeries = z
  .array(z.object({ partition: z.string(), value: z.number().nullable(), mean: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable(), z: z.number().nullable(), flagged: z.boolean() }))
  .meta({ id: "DriftSeries" });
export const driftHeatmap = z
  .object({ columns: z.array(z.string()), partitions: z.array(z.string()), cells: z.array(json).meta({ description: "row-major: cells[c * partitions.length + p]" }), max: z.number() })
  .meta({ id: "DriftHeatmap" });
export const driftEvents = page(z.object({ id: z.string(), relation: z.string(), partition: z.string(), action: z.string(), actor: z.string(), reason: z.string().nullable(), data: json, createdAt: timestamp })).meta({
  id: "DriftEvents",
});

const scheduledRun = z
  .object({
    tickAt: timestamp,
    kind: z.enum(["run", "manual"]),
    missed: z.number().meta({ description: "cron instants before this one that got no run of their own (a catch-up covers them)" }),
    runId: z.string(),
    status: z.string().nullable(),
    rows: z.number(),
    producedVersion: z.number().nullable(),
    error: z.string().nullable(),
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: "ScheduledRun" });
export const schedules = z
  .object({
    items: z.array(
      z.object({
        trigger: z.string(),
        route: z.string(),
        relation: z.string(),
        cron: z.string(),
        timezone: z.string(),
        missed: z.enum(["runOnce", "skip"]).meta({ description: "ticks missed while no process was up: one catch-up run, or none" }),
        maxRows: z.number(),
        nextRunAt: timestamp.nullable(),
        lastRun: scheduledRun.nullable(),
        lastTickAt: timestamp.nullable().meta({ description: "the latest cron instant claimed by any process" }),
        pendingRows: z.number().meta({ description: "rows waiting for the next tick" }),
      }),
    ),
  })
  .meta({ id: "Schedules" });
export const scheduleHistory = z
  .object({
    trigger: z.string(),
    items: z.array(
      z.object({
        tickAt: timestamp,
        kind: z.enum(["run", "manual", "skipped", "baseline"]),
        missed: z.number(),
        fitRunId: z.string().nullable(),
        claimedBy: z.string(),
        createdAt: timestamp,
        run: scheduledRun.nullable(),
      }),
    ),
    nextCursor: z.string().nullable().meta({ description: "the last tick's instant: pass as `cursor` for older ticks; null on the last page" }),
  })
  .meta({ id: "ScheduleHistory" });
export const scheduleRan = z.object({ trigger: z.string(), route: z.string(), runId: z.string(), rows: z.number(), tickAt: timestamp }).meta({ id: "ScheduleRan" });

// Review: the trigger-wide queue and named queues.
const lockedItem = z
  .object({ inference: inferenceDetail, lockExpiresAt: timestamp.meta({ description: "the lock is the caller's until then; label or release before" }) })
  .nullable()
  .meta({ id: "LockedReviewItem", description: "the next item, locked for the caller; null when none is free" });
export const reviewNext = lockedItem;
export const reviewReleased = z.object({ released: z.boolean() }).meta({ id: "ReviewReleased" });
export const reviewProgress = z
  .object({
    trigger: z.string(),
    total: z.number(),
    labeled: z.number(),
    remaining: z.number(),
    inProgress: z.number(),
    labelers: z.array(z.object({ actor: z.string(), labeled: z.number(), good: z.number(), bad: z.number(), inProgress: z.number() })),
  })
  .meta({ id: "ReviewProgress" });

const queueProgress = z.object({ total: z.number(), pending: z.number(), done: z.number(), skipped: z.number() });
export const reviewQueue = z
  .object({
    id: z.string(),
    name: z.string(),
    trigger: z.string(),
    description: z.string().nullable(),
    feed: json.meta({ description: "what fed the queue: filter, sample and maxItems" }),
    status: z.enum(["filling", "ready", "failed"]),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: timestamp,
    assignees: z.array(z.string()),
    progress: queueProgress,
  })
  .meta({ id: "ReviewQueue" });
export const reviewQueueForCaller = reviewQueue.extend({ assignedToMe: z.boolean() }).meta({ id: "ReviewQueueForCaller" });
export const reviewQueues = page(reviewQueueForCaller).meta({ id: "ReviewQueueList" });
export const queueDeleted = z.object({ deleted: z.boolean() }).meta({ id: "ReviewQueueDeleted" });
export const queueCompleted = z.object({ feedbackId: z.string().nullable() }).meta({ id: "ReviewQueueCompleted" });
export const queueSkipped = z.object({ skipped: z.boolean() }).meta({ id: "ReviewQueueSkipped" });
export const scored = z.object({ inferenceId: z.string(), scored: z.array(z.string()) }).meta({ id: "Scored" });

export const fitsRetried = z
  .object({ retried: z.array(z.string()), skipped: z.array(z.object({ id: z.string(), message: z.string() })) })
  .meta({ id: "FitsRetried", description: "runs that were no longer dead-lettered are skipped and named, not an error" });

export const evaluation = z
  .object({
    trigger: z.string(),
    declared: z.boolean().meta({ description: "whether the trigger declares `evaluate`" }),
    versions: z.array(z.object({ version: z.number(), examples: z.number(), metrics: z.record(z.string(), z.number()).nullable(), error: z.string().nullable() })),
  })
  .meta({ id: "Evaluation" });

export const schedulePreview = z.object({ cron: z.string(), timezone: z.string(), next: z.array(timestamp) }).meta({ id: "SchedulePreview" });

const overviewPoint = z.object({
  t: timestamp,
  inferences: z.number(),
  errors: z.number(),
  latencyP50: z.number().nullable(),
  latencyP99: z.number().nullable(),
  fits: z.number(),
  fitFailures: z.number(),
  fitDurationP50: z.number().nullable(),
  fitDurationMax: z.number().nullable(),
});
export const overview = z
  .object({
    from: timestamp,
    to: timestamp,
    minutes: z.number(),
    bucketMinutes: z.number(),
    triggers: z.array(
      z.object({
        trigger: z.string(),
        series: z.array(overviewPoint),
        totals: z.object({ inferences: z.number(), errors: z.number(), latencyP50: z.number().nullable(), latencyP99: z.number().nullable(), fits: z.number(), fitFailures: z.number(), fitDurationP50: z.number().nullable() }),
      }),
    ),
    latencyRelativeError: z.number().meta({ description: "latency percentiles are within this relative error of the true value" }),
    truncated: z.boolean().meta({ description: "true only when more than 200,000 fit runs finished in the range" }),
  })
  .meta({ id: "Overview" });

// Experiments: candidate, shadow, canary, the guarded rule and params variants.
const promotionRule = z.object({ name: z.string(), minLabels: z.number(), confidence: z.number() }).meta({ id: "PromotionRule" });
export const experiment = z
  .object({
    trigger: z.string(), active: z.number(), pinned: z.boolean(), candidate: z.number().nullable(),
    shadow: z.object({ share: z.number() }), canary: z.object({ share: z.number() }), rule: promotionRule.nullable(),
    source: z.enum(["declared", "runtime"]).meta({ description: "runtime once an admin set the settings (they replace the declared ones)" }),
  })
  .meta({ id: "Experiment" });
export const candidateSet = z.object({ trigger: z.string(), from: z.number().nullable(), to: z.number() }).meta({ id: "CandidateSet" });
export const promoted = z.object({ trigger: z.string(), from: z.number(), to: z.number(), pinned: z.boolean() }).meta({ id: "Promoted" });
export const aborted = z.object({ trigger: z.string(), from: z.number() }).meta({ id: "Aborted" });
export const promotionEvaluation = z
  .object({
    trigger: z.string(), active: z.number(), candidate: z.number().nullable(), basis: z.enum(["canary", "shadow"]).nullable(),
    decision: z.object({ action: z.enum(["wait", "promote", "abort"]), reason: z.string(), z: z.number().nullable() }),
    applied: z.boolean().meta({ description: "whether a promote/abort decision was applied (as a move by rule:<name>)" }),
  })
  .meta({ id: "PromotionEvaluation" });
const interval = z.object({ low: z.number(), high: z.number() });
const rate = z.object({ rate: z.number(), interval }).nullable();
export const shadowRowsPage = page(
  z
    .object({
      id: z.string(), rowId: z.string(), route: z.string(), createdAt: timestamp, input: json,
      active: z.object({ inferenceId: z.string(), version: z.number(), output: json, error: z.string().nullable(), label: z.enum(["good", "bad"]).nullable(), correction: json }),
      candidate: z.object({ version: z.number(), output: json, error: z.string().nullable(), verdict: z.enum(["good", "bad"]).nullable() }),
      differs: z.boolean(),
      diff: json.meta({ description: "bounded structural diff from the caller's answer to the shadow's" }),
    })
    .meta({ id: "ShadowRow" }),
).meta({ id: "ShadowRowPage" });
export const shadowSummary = z
  .object({
    version: z.number(), shadowed: z.number(), differing: z.number(), judged: z.number(), activeGood: z.number(), candidateGood: z.number(),
    activeGoodRate: rate, candidateGoodRate: rate,
  })
  .meta({ id: "ShadowSummary" });
export const candidateHistory = page(
  z.object({ id: z.string(), fromVersion: z.number().nullable(), toVersion: z.number().nullable(), actor: z.string(), reason: z.string().nullable(), createdAt: timestamp }),
).meta({ id: "CandidateHistoryPage" });
export const variants = z
  .object({
    trigger: z.string(),
    source: z.enum(["declared", "runtime"]),
    default: z.object({ name: z.literal("default"), params: json, hash: z.string(), weight: z.number().meta({ description: "share of routing keys left to the default params" }) }),
    variants: z.array(
      z.object({
        name: z.string(), overrides: z.record(z.string(), json), params: json.meta({ description: "effective params (null when the schema rejects them now)" }),
        hash: z.string().nullable(), weight: z.number(),
      }),
    ),
  })
  .meta({ id: "ParamsVariants" });
