import { StateEvents, type StateChangeListener } from "./state-events.ts";
import { recordAudit } from "./audit-log.ts";
import { deleteRow, type DeletedRow } from "./row-deletion.ts";
import { RetentionService } from "./retention.ts";
import { assertNotHeldByOther, releaseLocks } from "./label-locks.ts";
import { ReviewQueues } from "./review-queue/review-queues.ts";
import { markDoneEverywhere } from "./review-queue/queue-store.ts";
import { scoreIssues } from "./review-queue/score-config.ts";
import { writeScores } from "./review-queue/score-store.ts";
import { readLabelPage, type LabelExportQuery } from "./read-model/label-export.ts";
import { labelCsvHeader, labelCsvRows, labelJsonl } from "./read-model/label-csv.ts";
import { toOpenAIJsonl } from "./training-example.ts";
import { readTriggerStats, type TriggerStats } from "./read-model/trigger-stats.ts";
import { BACKLOG_MAX_BUCKETS, BACKLOG_MAX_WINDOW_MINUTES, readBacklogSeries, type BacklogSeries } from "./read-model/backlog-series.ts";
import { BacklogSampler, type BacklogSampleRow } from "./backlog-sampler.ts";
import { evaluateExamples, readVersionExamples, type VersionEvaluation } from "./outcomes/evaluation.ts";
import type { LabeledExample } from "./training-example.ts";
import { listAuditEvents, listFeedback, readHasRows, type AuditEvent, type AuditFilter, type FeedbackFilter, type FeedbackListItem } from "./read-model/listings.ts";
import type { Page } from "./read-model/page.ts";
import { claimReviewItem, readLiveLocks, releaseOwnLock, type ReviewFilter } from "./review-queue/queue-claim.ts";
import { addLabelTally, addLabeledTally } from "./activity/label-tally.ts";
import { readLabelCounts, type LabelCounts } from "./activity/label-counts.ts";
import { listAliasEvents, readAliasMovesAfter, type AliasEventFilter, type AliasEventRecord, type AliasMove } from "./read-model/alias-events.ts";
import { countRows, listRows, readRowDetail, type RowDetail, type RowItem, type RowQuery } from "./read-model/row-query.ts";
import { listFitRuns, readFitRunDetail, type FitRunDetail, type FitRunFilter, type FitRunSummary } from "./read-model/fit-runs.ts";
import { searchInferences, withDetails, type InferencePage, type InferenceSearch, type InferenceWithDetails } from "./read-model/inference-search.ts";
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  decodeJson, execute, insertIngest, newId, openDatabase, pgNotify, ping, prepare, selectAll, selectFirst, sql, storage, toDate,
  type Database, type Query, type InferenceInsert, type PendingInsert, type ProfileInsert, type RowInsert,
} from "@motion/db";
import { PartitionKeyError } from "./drift/partition-key.ts";
import { ProfileAccumulator } from "./drift/profile-accumulator.ts";
import { DriftMonitor } from "./drift/drift-monitor.ts";
import { BackpressureGate } from "./backpressure.ts";
import { type DriftSurface } from "./drift/surface.ts";
import { defineApp, isApp, type App, type AppDefinition } from "./app.ts";
import { feedback as feedbackRelation, type FeedbackRow, type Relation } from "./relation.ts";
import type { ResolvedRoute, Trigger } from "./trigger.ts";
import { ConflictError, NotFoundError, ValidationError, type RowIssue } from "./errors.ts";
import { correctionJsonSchema, optionsFromFields, validateCorrection, type JsonSchema } from "./correction.ts";
import { checkOptionValues, optionValues, type OptionValue } from "./correction-options.ts";
import { InferenceCache } from "./inference-cache.ts";
import { assertNotCollected, encodePatch, insertBlobs, insertVersion, moveAlias, readAliases, StateStore, type EncodedPatch, type VersionInfo } from "./state-store.ts";
import { freezeState, type State } from "./state.ts";
import { InlineFitExecutor, ThreadFitExecutor, type FitExecutor } from "./fit-executor.ts";
import { FitRunner, ownerIsDead } from "./fit-runner.ts";
import { EmbeddedFitScheduler, type FitScheduler } from "./fit-scheduler.ts";
import { recoverRuns, requeueDead, readFitRun } from "./fit-store.ts";
import { addOutcomes, labelDelta, outcomeShard, rollUpInferences } from "./outcomes/outcome-rollup.ts";
import { readOutcomes, type VersionOutcomes } from "./outcomes/outcome-read.ts";
import { addMinutes, rollUpMinutes } from "./activity/minute-rollup.ts";
import { readRelationRows } from "./activity/relation-row-count.ts";
import { compactedBefore } from "./outcomes/outcome-compaction.ts";
import { addHours, hourOf, labelHours, MAX_OVER_TIME_RANGE_MS, overTimeBucket, readOutcomesOverTime, rollUpHours, type OutcomesOverTime, type OverTimeSelection } from "./outcomes/outcome-hours.ts";
import { readActivity, type Activity } from "./activity/activity-read.ts";
import { diffVersions, type VersionDiff } from "./state-diff/state-diff.ts";
import { fitsOf, versionPath } from "./state-diff/version-path.ts";
import { PARAMS_CHANNEL, TriggerParamsStore } from "./params-store.ts";
import { ViewSync } from "./view-sync.ts";
import { createLogger, type Logger } from "./logger.ts";
import { fitActivity, scheduledRouteKeys, type FitActivity } from "./fit-activity.ts";
import { ScheduleService } from "./schedule-service.ts";
import { ShadowQueue, type ShadowJob, type ShadowStats } from "./experiments/shadow-queue.ts";
import { inCanary, inShadowSample } from "./experiments/routing.ts";
import { abortCandidate, promoteCandidate, readCandidate, setCandidate } from "./experiments/candidate-moves.ts";
import { experimentPatch, readSettings, writeSettings, type ExperimentPatch, type ExperimentSettings, type StoredSettings } from "./experiments/experiment-settings.ts";
import { decide, type RuleDecision } from "./experiments/promotion-rule.ts";
import { DEFAULT_VARIANT, pickVariant, resolveVariants, variantName, variantWeight, type ResolvedVariant, type VariantSpec } from "./experiments/params-variants.ts";
import { readShadowRows, readShadowSummary, type ShadowRow, type ShadowSummary } from "./experiments/shadow-read.ts";
import { Identity } from "./identity/index.ts";
import { listStateVersions, readStateVersionDetail, type StateVersionDetail, type StateVersionItem } from "./read-model/state-versions.ts";
import { readStateValue, type StateValueRead } from "./read-model/state-value.ts";
import { insertMigratedVersion, migrateTrigger, migrationPath, noPathError, readVersionSchema, runMigrations, type TriggerMigration } from "./state-migrations.ts";
import { IdempotencyStore } from "./identity/idempotency-store.ts";

export interface MotionOptions {
  app: App | AppDefinition;
  /** `file:<path>` (SQLite, the default `.motion/motion.db`) or `postgresql://…`. */
  databaseUrl?: string;
  /** An already open database (shared with an API server, tests). Not closed by close(). */
  database?: Database;
  /** Per-deployment params overrides, by trigger name. */
  params?: Record<string, Record<string, unknown>>;
  /** Where fits run: worker threads (default when the app has a module URL) or inline. */
  fitIn?: "threads" | "inline";
  /** Worker threads for fits (default: cores − 1, at least 2, at most 4). One trigger fits on one thread at a time. */
  fitThreads?: number;
  /**
   * Most ready batches of one trigger claimed at once and fitted one after another, each on the
   * state the one before produced, each committed as its own version (default 64; fewer when
   * they would hold more than 1,000 rows). 1 claims one batch per trigger per round.
   */
  fitChain?: number;
  /** close() waits this long for running fits (default 10 s), then stops them; their runs go back to the queue. */
  closeTimeoutMs?: number;
  /** Start the fit threads and load the app in them at open, not at the first fits (default false; `motion worker` does). */
  warmFitThreads?: boolean;
  /** Replace the embedded scheduler (e.g. `bullmqScheduler(...)`); gets the runner to execute fits. */
  scheduler?: (ctx: SchedulerContext) => FitScheduler;
  /** Don't run fits in this process at all (API-only processes in scale-out). */
  runFits?: boolean;
  /** Guard typed arrays in infer state against writes (a Proxy; default true). */
  guardBinaryState?: boolean;
  /**
   * Drift checks in this process. autoCheck (default: when this process runs fits) judges
   * partitions as they close: after an ingest that starts a newer partition, and every
   * checkIntervalMs (default 60 s; 0 = never) for partitions closed by time.
   * Without it, partitions are judged by `motion.drift.check` (or by another process).
   * `thread: false` merges, summarises and judges on this thread instead of the drift worker
   * thread (default true: a check never holds the event loop that answers).
   */
  drift?: { autoCheck?: boolean; checkIntervalMs?: number; thread?: boolean };
  /**
   * Relations' `retention` policies run every `intervalMs` (default 1 h) in `batchSize`-row
   * transactions (default 500), in processes that run fits unless `auto` says otherwise. Each
   * pass also prunes bookkeeping (schedule ticks but each route's latest, backlog samples,
   * inference rollup minutes) older than `bookkeepingDays` (default 30, at least 1).
   */
  retention?: { auto?: boolean; intervalMs?: number; batchSize?: number; bookkeepingDays?: number };
  /**
   * Scheduled routes (route option `schedule`): ticks are claimed on a timer in processes that
   * run fits unless `auto` says otherwise; the timer sleeps until the next tick, at most
   * `pollMs` (default 30 s). A tick claimed more than `graceMs` (default 60 s) after its instant
   * is late (`missed: "skip"` skips it). `now` replaces the schedule clock (tests, benchmarks).
   */
  schedules?: { auto?: boolean; pollMs?: number; graceMs?: number; now?: () => Date };
  /**
   * Backlog samples for the console's backlog chart: every fit route's backlog is sampled every
   * `intervalMs` (default 60 s) in processes that run fits unless `auto` says otherwise.
   */
  backlog?: { auto?: boolean; intervalMs?: number };
  /** Max infers running at once within one addMany. */
  inferConcurrency?: number;
  /**
   * Guarded promotion rules run after each label in the labeling process, and also every
   * `ruleIntervalMs` (default 60 s in processes that run fits, else 0 = never) for triggers with a
   * rule and a candidate: labels stored by other processes or clients, and a rule set after the
   * labels, are decided without waiting for the next label.
   */
  experiments?: { ruleIntervalMs?: number };
  /**
   * How often this process checks that the active versions and params it serves are the
   * database's (default 1000 ms on SQLite, where it is how other processes' changes arrive;
   * 5000 ms on PostgreSQL, a backstop to notifications). 0 turns the periodic check off.
   */
  syncIntervalMs?: number;
  log?: Logger;
}

export interface SchedulerContext {
  db: Database;
  app: App;
  runner: FitRunner;
  log: Logger;
}

export interface InferenceResult {
  id: string;
  trigger: string;
  route: string;
  output: unknown;
  error: string | null;
  stateVersion: number;
  paramsHash: string;
  cached: boolean;
  latencyMs: number;
}

export interface AddResult<T = unknown> {
  id: string;
  relation: string;
  key: string | null;
  createdAt: Date;
  data: T;
  inferences: InferenceResult[];
}

export interface AddOptions<T = unknown> {
  /**
   * More writes in the transaction that stores the rows (e.g. the API's idempotency record):
   * if they throw, nothing of the batch is written and `add` rejects with their error.
   */
  alsoWrite?: (results: AddResult<T>[]) => Query<unknown>;
  /**
   * What decides a canary split for these rows (default: the row's key, else its id): one
   * string for every row, or one per row. The same key always lands on the same side.
   */
  routingKey?: string | ((row: T, index: number) => string | null | undefined);
  /**
   * Params variant to answer with, by trigger name (`{ ranker: "wide" }`; "default" for the
   * trigger's own params), instead of the split by routing key. An unknown trigger or variant
   * is a ValidationError at ["variants", trigger] and nothing is written.
   */
  variants?: Record<string, string>;
}

export interface FeedbackInput {
  label: "good" | "bad";
  correction?: unknown;
  note?: string;
  actor: string;
  /**
   * Who labels, as review-queue locks name holders: another holder's live lock on the
   * inference refuses the label (ConflictError). With or without it, the label releases the
   * inference's locks in its transaction.
   */
  holder?: string;
}

interface ActiveState {
  version: number;
  view: Readonly<State>;
}

const feedbackInput = z.object({
  label: z.enum(["good", "bad"]),
  correction: z.unknown().optional(),
  note: z.string().max(10_000).optional(),
  actor: z.string().min(1),
  holder: z.string().min(1).optional(),
});

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** A running Motion application: stores rows, runs infer on add, schedules fits, versions state. */
export class Motion {
  readonly app: App;
  readonly db: Database;
  readonly log: Logger;
  private readonly ownsDb: boolean;
  private readonly store: StateStore;
  private readonly cache = new InferenceCache();
  private readonly correctionSchemas = new Map<string, JsonSchema>();
  private readonly active = new Map<string, ActiveState>();
  /** Each trigger's `candidate` version (absent when none), loaded like `active`. */
  private readonly candidates = new Map<string, ActiveState>();
  /** Effective shadow/canary/rule settings and the marker the consistency check compares. */
  private readonly experiments = new Map<string, { settings: ExperimentSettings; runtime: boolean; marker: string; resolved?: { forHash: string; list: ResolvedVariant[] } }>();
  private readonly shadowQueue: ShadowQueue;
  private readonly params: TriggerParamsStore;
  private readonly sync: ViewSync;
  private readonly executor: FitExecutor | null;
  private readonly scheduler: FitScheduler | null;
  readonly runner: FitRunner;
  /** Named review queues (create, assign, work them). */
  readonly queues: ReviewQueues;
  /** Operators: users, sessions, API keys, offboarding (see identity/). */
  readonly identity: Identity;
  /** Stored answers of requests sent with an idempotency key (see identity/idempotency-store.ts). */
  readonly idempotency: IdempotencyStore;
  private readonly guardBinary: boolean;
  private readonly inferConcurrency: number;
  private readonly closeTimeoutMs: number;
  private unlisten: (() => Promise<void>) | null = null;
  private readonly stateEvents = new StateEvents();
  private readonly warming: Promise<void> | null;
  private readonly closers: (() => Promise<void> | void)[] = [];
  private readonly stale = new Set<string>();
  private refreshing: Promise<void> | null = null;
  private closed = false;
  private readonly driftMonitor: DriftMonitor;
  private readonly backpressure: BackpressureGate;
  private readonly retentionService: RetentionService;
  private readonly scheduleService: ScheduleService;
  private readonly ruleIntervalMs: number;
  private ruleTimer: NodeJS.Timeout | null = null;
  private ruleRound: Promise<unknown> | null = null;
  private readonly backlogSampler: BacklogSampler;

  private constructor(app: App, db: Database, ownsDb: boolean, options: MotionOptions) {
    this.app = app;
    this.db = db;
    this.ownsDb = ownsDb;
    this.log = options.log ?? createLogger();
    this.store = new StateStore(db);
    this.params = new TriggerParamsStore(app, db, options.params ?? {}, this.log);
    this.sync = new ViewSync({
      db, app, params: this.params, log: this.log, refresh: (t) => this.refresh(t), activeVersion: (t) => this.active.get(t)?.version,
      experimentMarker: (t) => this.experiments.get(t)?.marker, refreshExperiment: (t) => this.loadExperiment(t),
      intervalMs: options.syncIntervalMs ?? (db.provider === "sqlite" ? 1000 : 5000),
    });
    this.guardBinary = options.guardBinaryState ?? true;
    this.shadowQueue = new ShadowQueue(db, this.log);
    this.inferConcurrency = options.inferConcurrency ?? 8;
    const runFits = options.runFits ?? true;
    this.ruleIntervalMs = options.experiments?.ruleIntervalMs ?? (runFits ? 60_000 : 0);
    const fitIn = options.fitIn ?? (app.module ? "threads" : "inline");
    if (fitIn === "threads" && !app.module) throw new TypeError(`app ${app.name} has no module URL; set module: import.meta.url or use fitIn: "inline"`);
    const threads = runFits && fitIn === "threads" ? new ThreadFitExecutor(options.fitThreads) : null;
    // Threads load the app while the rest of open runs; open returns when they can fit.
    this.warming = threads && options.warmFitThreads ? threads.warm(app.module!, app.name) : null;
    this.executor = threads ?? (runFits ? new InlineFitExecutor(app, this.log) : null);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.runner = new FitRunner({
      db, app, store: this.store, log: this.log,
      executor: this.executor ?? new InlineFitExecutor(app, this.log),
      params: (t) => this.params.forFit(t),
      maxChain: options.fitChain,
      onCommitted: (t, version, patch, activeMoved) => this.adopt(t, version, patch, activeMoved),
    });
    const ctx = { db, app, runner: this.runner, log: this.log };
    // A custom scheduler (BullMQ) is created even when this process runs no fits itself:
    // API-only processes still have to announce new rows to the workers.
    this.scheduler = options.scheduler ? options.scheduler(ctx) : runFits ? new EmbeddedFitScheduler(db, app, this.runner, this.log) : null;
    this.backpressure = new BackpressureGate(db, this.log);
    this.queues = new ReviewQueues(this);
    this.identity = new Identity(db);
    this.idempotency = new IdempotencyStore(db);
    this.retentionService = new RetentionService({
      db, app, log: this.log, auto: options.retention?.auto ?? runFits, intervalMs: options.retention?.intervalMs, batchSize: options.retention?.batchSize,
      bookkeepingDays: options.retention?.bookkeepingDays,
    });
    this.scheduleService = new ScheduleService({
      db, app, log: this.log, owner: this.runner.owner, params: (t) => this.params.forFit(t), kick: (t) => this.scheduler?.kick(t),
      auto: options.schedules?.auto ?? runFits, pollMs: options.schedules?.pollMs, graceMs: options.schedules?.graceMs, now: options.schedules?.now,
    });
    this.backlogSampler = new BacklogSampler({ db, app, log: this.log, auto: options.backlog?.auto ?? runFits, intervalMs: options.backlog?.intervalMs });
    this.driftMonitor = new DriftMonitor({
      db, app, log: this.log, kick: (t) => this.scheduler?.kick(t), autoCheck: options.drift?.autoCheck ?? runFits, intervalMs: options.drift?.checkIntervalMs,
      thread: options.drift?.thread,
    });
  }

  /** Retention: relations' `retention` policies and the operator's "delete rows older than…". */
  get retention(): RetentionService {
    return this.retentionService;
  }

  /** Scheduled routes: next and last runs, tick history, run now (see docs/engine-api.md, Scheduled triggers). */
  get schedules(): ScheduleService {
    return this.scheduleService;
  }

  /** Drift: partition profiles, verdicts, charts and operators' decisions (see docs/drift.md). */
  get drift(): DriftSurface {
    return this.driftMonitor;
  }

  static async open(options: MotionOptions): Promise<Motion> {
    const app = isApp(options.app) ? options.app : defineApp(options.app);
    const db = options.database ?? (await openDatabase({ url: options.databaseUrl }));
    const motion = new Motion(app, db, !options.database, options);
    try {
      await motion.start();
    } catch (error) {
      await motion.close();
      throw error;
    }
    return motion;
  }

  private async start(): Promise<void> {
    await this.params.load();
    for (const t of this.app.triggers) {
      if (!t.experiment.variants.length) continue;
      const { issues } = resolveVariants(t.params, this.paramsOf(t.name), t.experiment.variants, (i) => ["variants", t.experiment.variants[i]?.name ?? i]);
      if (issues.length) throw new ValidationError(`variants of trigger ${t.name}`, issues);
    }
    await this.warming;
    for (const t of this.app.triggers) await this.ensureInitial(t);
    // Before anything serves: a migrate that throws fails open (StateMigrationError), nothing written.
    for (const t of this.app.triggers) await migrateTrigger({ db: this.db, store: this.store, log: this.log }, t);
    for (const t of this.app.triggers) await this.refresh(t.name);
    if (this.scheduler) {
      const recovered = await this.db.tx(() => recoverRuns(new Date(), ownerIsDead));
      if (recovered) this.log.warn({ recovered }, "re-queued fit runs left running by a stopped process");
      this.scheduler.notify(this.app.triggers.filter((t) => t.routes.some((r) => r.fit)).map((t) => t.name));
    }
    this.scheduleService.start();
    // Review queues a stopped process left half-filled: resumed in the background.
    this.queues.resumeStaleFills().catch((error: unknown) => this.log.error({ err: error }, "resuming review queue fills failed"));
    if (this.ruleIntervalMs > 0) {
      this.ruleTimer = setInterval(() => {
        if (this.ruleRound || this.closed) return;
        this.ruleRound = this.evaluateRules().finally(() => (this.ruleRound = null));
      }, this.ruleIntervalMs);
      this.ruleTimer.unref();
    }
    if (this.db.listen) {
      this.unlisten = await this.db.listen(
        ["motion_state", PARAMS_CHANNEL],
        (trigger, channel) => {
          if (!this.app.trigger(trigger)) return;
          if (channel !== PARAMS_CHANNEL) {
            // Any version (even one `active` does not follow) made by any process.
            this.stateEvents.emit(trigger);
            return this.refreshSoon(trigger);
          }
          void this.params.reload(trigger).catch((error) => this.log.error({ err: (error as Error).message, channel }, "reload after a notification failed"));
        },
        // Whatever was broadcast while the session was down is lost: compare with the database.
        () => void this.sync.check(),
      );
    }
  }

  /** The params this process runs the trigger with now (and records with each inference). */
  paramsOf(trigger: string): { params: unknown; hash: string } {
    return this.params.get(trigger);
  }

  /** Version 0 from setUp, once per trigger (a concurrent starter's insert wins harmlessly). */
  private async ensureInitial(t: Trigger): Promise<void> {
    if (await this.db.read(() => readAliases(t.name))) return;
    const state = await t.setUp({ params: this.paramsOf(t.name).params, log: this.log });
    const patch = encodePatch(state ?? {});
    const now = new Date();
    const manifest = Object.fromEntries(
      Object.entries(patch).flatMap(([k, v]) => (v ? [[k, { checksum: v.checksum, kind: v.kind, size: v.bytes.byteLength }]] : [])),
    );
    const provider = this.db.provider;
    try {
      await this.db.tx(function* () {
        if (yield* readAliases(t.name)) return;
        yield* insertBlobs(patch, now, provider);
        yield* insertVersion({ trigger: t.name, version: 0, parent: null, fitRunId: null, manifest, createdAt: now, schema: t.stateSchema });
        yield* moveAlias({ trigger: t.name, alias: "latest", from: null, to: 0, actor: "setUp", at: now });
        yield* moveAlias({ trigger: t.name, alias: "active", from: null, to: 0, actor: "setUp", at: now });
      });
    } catch (error) {
      if (!(await this.db.read(() => readAliases(t.name)))) throw error;
    }
  }

  /** Reloads the active version of a trigger from the database (after a move elsewhere). */
  async refresh(trigger: string): Promise<void> {
    const aliases = await this.db.read(() => readAliases(trigger));
    if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
    const current = this.active.get(trigger);
    if (current?.version !== aliases.active) {
      const { state } = await this.store.load(trigger, aliases.active);
      this.active.set(trigger, { version: aliases.active, view: freezeState(state, this.guardBinary) });
      this.stateEvents.emit(trigger);
    }
    await this.loadExperiment(trigger);
  }

  /** Reads the trigger's candidate and runtime experiment settings; loads the candidate's state. */
  private async loadExperiment(trigger: string): Promise<void> {
    const t = this.trigger(trigger);
    const { candidate, stored } = await this.db.read(function* () {
      return { candidate: yield* readCandidate(trigger), stored: yield* readSettings(trigger) };
    });
    const settings: ExperimentSettings = stored
      ? { shadowShare: stored.shadowShare, canaryShare: stored.canaryShare, rule: stored.rule, variants: stored.variants ?? t.experiment.variants }
      : t.experiment;
    this.experiments.set(trigger, { settings, runtime: !!stored, marker: experimentMarker(candidate, stored?.updatedAt ?? null) });
    if (candidate === null) {
      this.candidates.delete(trigger);
      return;
    }
    if (this.candidates.get(trigger)?.version === candidate) return;
    const { state } = await this.store.load(trigger, candidate);
    this.candidates.set(trigger, { version: candidate, view: freezeState(state, this.guardBinary) });
  }

  /**
   * A trigger's state moved elsewhere (NOTIFY). A worker's round commits many triggers at once:
   * the triggers announced meanwhile are read back together, in one query for their aliases and
   * two for the versions that changed, instead of a few queries per trigger.
   */
  private refreshSoon(trigger: string): void {
    this.stale.add(trigger);
    if (this.refreshing) return;
    this.refreshing = (async () => {
      while (this.stale.size && !this.closed) {
        const names = [...this.stale];
        this.stale.clear();
        await this.refreshMany(names);
      }
    })()
      .catch((error) => this.log.error({ err: (error as Error).message }, "state refresh failed"))
      .finally(() => {
        this.refreshing = null;
        const next = this.stale.values().next();
        if (!next.done && !this.closed) this.refreshSoon(next.value);
      });
  }

  private async refreshMany(triggers: string[]): Promise<void> {
    const rows = await this.db.read(() => selectAll(storage.selectFrom("StateAlias").select(["trigger", "version"]).where("name", "=", "active").where("trigger", "in", triggers)));
    const changed = rows.map((r) => ({ trigger: r.trigger, version: Number(r.version) })).filter((r) => this.active.get(r.trigger)?.version !== r.version);
    if (changed.length) {
      await this.store.preload(changed);
      for (const { trigger, version } of changed) {
        const { state } = await this.store.load(trigger, version);
        this.active.set(trigger, { version, view: freezeState(state, this.guardBinary) });
        this.stateEvents.emit(trigger);
      }
    }
    // A candidate move or a settings change is announced on the same channel.
    for (const trigger of triggers) await this.loadExperiment(trigger);
  }

  /** A fit committed here: serve the new version from the values the fit just produced. */
  private adopt(trigger: string, version: VersionInfo, patch: EncodedPatch, activeMoved: boolean): void {
    this.store.remember(version, patch);
    this.stateEvents.emit(trigger);
    if (!activeMoved) return;
    // Unchanged keys are cached already and the new ones were just remembered: no query.
    void this.store
      .load(trigger, version.version)
      .then(({ state }) => {
        const current = this.active.get(trigger);
        // A newer version may already be served (refreshed from another process); keep it.
        if (!current || current.version < version.version) this.active.set(trigger, { version: version.version, view: freezeState(state, this.guardBinary) });
      })
      .catch((error) => this.log.error({ err: (error as Error).message }, "adopting new version failed"));
  }

  /** The version infer reads now, in this process. */
  activeVersion(trigger: string): number {
    const a = this.active.get(trigger);
    if (!a) throw new NotFoundError(`unknown trigger ${trigger}`);
    return a.version;
  }

  relation(name: string): Relation {
    const r = this.app.relation(name);
    if (!r) throw new NotFoundError(`unknown relation ${name}`);
    return r;
  }

  trigger(name: string): Trigger {
    const t = this.app.trigger(name);
    if (!t) throw new NotFoundError(`unknown trigger ${name}`);
    return t;
  }

  async add<T = unknown>(relation: string | Relation, row: unknown, options?: AddOptions<T>): Promise<AddResult<T>> {
    const [result] = await this.addMany<T>(relation, [row], options);
    return result!;
  }

  /**
   * Validates the whole batch first (one bad row rejects it, nothing written), runs every
   * infer bound to the relation on the active state, then writes rows, inferences and
   * pending fit entries in one transaction.
   */
  async addMany<T = unknown>(relation: string | Relation, input: unknown[], options?: AddOptions<T>): Promise<AddResult<T>[]> {
    if (this.closed) throw new Error("motion is closed");
    const rel = this.relation(typeof relation === "string" ? relation : relation.name);
    if (!Array.isArray(input)) throw new ValidationError(rel.name, [{ index: -1, path: [], message: "expected an array of rows", code: "invalid_type" }]);
    const n = input.length;
    if (n === 0) return [];
    const parsed: unknown[] = new Array(n);
    const now = new Date();
    // Event-time partitions come from each row; otherwise one key for the whole batch.
    const partitionOf = rel.drift.partitionOf;
    const partitions: string[] | string = rel.drift.eventTime ? new Array<string>(n) : partitionOf(null, now);
    let issues: RowIssue[] | null = null;
    for (let i = 0; i < n; i++) {
      const r = rel.schema.safeParse(input[i]);
      if (!r.success) {
        (issues ??= []).push(...ValidationError.fromZod(rel.name, i, r.error));
        continue;
      }
      parsed[i] = r.data;
      if (typeof partitions === "string") continue;
      try {
        partitions[i] = partitionOf(r.data, now);
      } catch (error) {
        if (!(error instanceof PartitionKeyError)) throw error;
        (issues ??= []).push({ index: i, path: error.path, message: error.message, code: "invalid_partition" });
      }
    }
    if (issues) throw new ValidationError(rel.name, issues);
    const named = options?.variants ? this.namedVariants(options.variants) : null;
    return this.ingest<T>(rel, parsed, partitions, now, options?.alsoWrite, options?.routingKey, named);
  }

  /** Checks `add`'s `variants` option: every trigger known, every variant one it has. */
  private namedVariants(named: Record<string, string>): Map<string, { params: unknown; hash: string }> {
    const out = new Map<string, { params: unknown; hash: string }>();
    const issues: RowIssue[] = [];
    if (typeof named !== "object" || named === null || Array.isArray(named)) {
      throw new ValidationError("variants", [{ index: -1, path: ["variants"], message: "variants is an object of variant names by trigger", code: "invalid_type" }]);
    }
    for (const [trigger, name] of Object.entries(named)) {
      if (!this.app.trigger(trigger)) {
        issues.push({ index: -1, path: ["variants", trigger], message: `unknown trigger ${trigger}`, code: "unknown_trigger" });
        continue;
      }
      if (name === DEFAULT_VARIANT) {
        out.set(trigger, this.paramsOf(trigger));
        continue;
      }
      const v = this.variantsOf(trigger).find((x) => x.name === name);
      if (!v) issues.push({ index: -1, path: ["variants", trigger], message: `trigger ${trigger} has no params variant ${String(name)}`, code: "unknown_variant" });
      else out.set(trigger, { params: v.effective, hash: v.hash });
    }
    if (issues.length) throw new ValidationError("variants", issues);
    return out;
  }

  /**
   * The trigger's params variants as this process serves them, resolved over the current default
   * params (re-resolved when those change). A stored variant the schema no longer accepts is
   * left out (logged): its rows get the default params.
   */
  private variantsOf(trigger: string): ResolvedVariant[] {
    const entry = this.experiments.get(trigger);
    const specs = entry?.settings.variants ?? [];
    if (!entry || !specs.length) return [];
    const base = this.paramsOf(trigger);
    if (entry.resolved?.forHash === base.hash) return entry.resolved.list;
    const { resolved, issues } = resolveVariants(this.trigger(trigger).params, base, specs);
    if (issues.length) this.log.error({ trigger, issues }, "params variants do not resolve against the current params; those variants are not served");
    entry.resolved = { forHash: base.hash, list: resolved };
    return resolved;
  }

  private async ingest<T>(
    rel: Relation, parsed: unknown[], partitions: string[] | string, now: Date, alsoWrite?: AddOptions<T>["alsoWrite"], routingKey?: AddOptions<T>["routingKey"],
    namedVariants?: Map<string, { params: unknown; hash: string }> | null,
  ): Promise<AddResult<T>[]> {
    const nowMs = now.getTime();
    const partitionAt = typeof partitions === "string" ? () => partitions : (i: number) => partitions[i]!;
    const n = parsed.length;
    const routes = this.app.routesOf(rel.name);
    const rowInserts: RowInsert[] = new Array(n);
    const results: AddResult<T>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const data = parsed[i];
      const id = newId(nowMs);
      const key = rel.keyOf(data);
      rowInserts[i] = { id, relation: rel.name, key, data: JSON.stringify(data), partition: partitionAt(i), createdAt: now };
      results[i] = { id, relation: rel.name, key, createdAt: now, data: data as T, inferences: [] };
    }
    const inferences: InferenceInsert[] = [];
    const shadowJobs: ShadowJob[] = [];
    const pending: PendingInsert[] = [];
    const fitTriggers = new Set<string>();
    // Rows each route takes: all, unless it filters (no array is built in the common case).
    const selections = routes.map(({ route }) => (route.filter ? parsed.flatMap((data, i) => (route.filter!(data) ? [i] : [])) : null));
    // Backpressure is decided before any infer runs or anything is written.
    const sheds: { trigger: string; route: ResolvedRoute; excess: number }[] = [];
    await this.backpressure.prefetch(routes.filter((_, r) => (selections[r] ? selections[r]!.length : n) > 0).map(({ trigger, route }) => ({ trigger: trigger.name, route })));
    for (let r = 0; r < routes.length; r++) {
      const { trigger, route } = routes[r]!;
      if (!route.backpressure) continue;
      const incoming = selections[r] ? selections[r]!.length : n;
      if (incoming === 0) continue;
      const excess = await this.backpressure.admit(trigger.name, route, incoming);
      if (excess > 0) sheds.push({ trigger: trigger.name, route, excess });
    }
    for (let r = 0; r < routes.length; r++) {
      const { trigger, route } = routes[r]!;
      const selected = selections[r]!;
      const count = selected ? selected.length : n;
      const at = (k: number) => (selected ? selected[k]! : k);
      if (count === 0) continue;
      if (route.fit) {
        fitTriggers.add(trigger.name);
        const held = route.onDrift === "hold";
        for (let k = 0; k < count; k++) {
          const insert = rowInserts[at(k)]!;
          pending.push({ trigger: trigger.name, route: route.name, rowId: insert.id, partition: insert.partition, held, createdAt: now });
        }
      }
      if (!route.infer) continue;
      const infer = route.infer;
      const active = this.active.get(trigger.name)!;
      const baseParams = this.paramsOf(trigger.name);
      const variants = this.variantsOf(trigger.name);
      const named = namedVariants?.get(trigger.name);
      const useCache = trigger.cache;
      const candidate = this.candidates.get(trigger.name);
      const experiment = this.experiments.get(trigger.name)?.settings;
      const canaryShare = candidate && experiment ? experiment.canaryShare : 0;
      const shadowShare = candidate && experiment && candidate.version !== active.version ? experiment.shadowShare : 0;
      const keyOf = (i: number): string => {
        const insert = rowInserts[i]!;
        const explicit = typeof routingKey === "function" ? routingKey(parsed[i] as T, i) : routingKey;
        return explicit ?? insert.key ?? insert.id;
      };
      // Canary: the routing key (explicit, else the row's key, else its id) picks the version.
      const servedBy = (i: number): ActiveState => {
        if (canaryShare <= 0) return active;
        return inCanary(trigger.name, keyOf(i), canaryShare) ? candidate! : active;
      };
      // Params variants: the one the caller named, else the split of the same routing key.
      const paramsFor = (i: number): { params: unknown; hash: string } => {
        if (named) return named;
        if (!variants.length) return baseParams;
        const v = pickVariant(trigger.name, keyOf(i), variants);
        return v ? { params: v.effective, hash: v.hash } : baseParams;
      };
      const record = (i: number, version: number, output: unknown, error: string | null, cached: boolean, latencyMs: number, inputHash: string, params: unknown, paramsHash: string) => {
        const insert = rowInserts[i]!;
        let outputJson: string | null = null;
        if (error === null) {
          try {
            outputJson = JSON.stringify(output) ?? "null";
          } catch (e) {
            error = `infer output is not JSON-serialisable: ${(e as Error).message}`;
            output = null;
          }
        }
        const id = newId(nowMs);
        inferences.push({
          id, rowId: insert.id, relation: rel.name, trigger: trigger.name, route: route.name, output: outputJson, error,
          stateVersion: version, paramsHash, inputHash, latencyMs, cached, createdAt: now,
        });
        results[i]!.inferences.push({ id, trigger: trigger.name, route: route.name, output, error, stateVersion: version, paramsHash, cached, latencyMs });
        // Shadow: sampled rows answered by active are answered again by the candidate later.
        if (shadowShare > 0 && error === null && version === active.version && inShadowSample(trigger.name, insert.id, shadowShare)) {
          shadowJobs.push({
            trigger: trigger.name, route: route.name, inferenceId: id, primaryOutput: outputJson, baseVersion: version, paramsHash, infer,
            ctx: { state: candidate!.view, row: { id: insert.id, key: insert.key, createdAt: now, data: parsed[i] }, params, version: candidate!.version, trigger: trigger.name, log: this.log },
          });
        }
      };
      const failed = (i: number, e: unknown) => {
        const message = (e as Error)?.message ?? String(e);
        this.log.warn({ trigger: trigger.name, route: route.name, row: rowInserts[i]!.id, err: message }, "infer failed");
        return message;
      };
      const done = (i: number, version: number, value: unknown, started: number, inputHash: string, cacheKey: string, params: unknown, paramsHash: string) => {
        const output = value === undefined ? null : value;
        if (useCache) this.cache.set(cacheKey, output);
        record(i, version, output, null, false, performance.now() - started, inputHash, params, paramsHash);
      };
      // Synchronous infers finish in this loop with no promise per row; the first one that
      // returns a promise switches the rest of the batch to bounded concurrency.
      const start = (i: number): Promise<void> | undefined => {
        const insert = rowInserts[i]!;
        const served = servedBy(i);
        const version = served.version;
        const { params, hash: paramsHash } = paramsFor(i);
        const inputHash = useCache ? createHash("sha1").update(insert.data).digest("base64url") : "";
        const cacheKey = useCache ? InferenceCache.key(trigger.name, route.name, inputHash, version, paramsHash) : "";
        const started = performance.now();
        const hit = useCache ? this.cache.get(cacheKey) : undefined;
        if (hit) {
          record(i, version, hit.output, null, true, performance.now() - started, inputHash, params, paramsHash);
          return undefined;
        }
        let out: unknown;
        try {
          out = infer({ state: served.view, row: { id: insert.id, key: insert.key, createdAt: now, data: parsed[i] }, params, version, trigger: trigger.name, log: this.log });
        } catch (e) {
          record(i, version, null, failed(i, e), false, performance.now() - started, inputHash, params, paramsHash);
          return undefined;
        }
        if (out && typeof (out as Promise<unknown>).then === "function") {
          return (out as Promise<unknown>).then(
            (value) => done(i, version, value, started, inputHash, cacheKey, params, paramsHash),
            (e) => record(i, version, null, failed(i, e), false, performance.now() - started, inputHash, params, paramsHash),
          );
        }
        // A synchronous answer is stored with no closure made for it (this runs for every row).
        done(i, version, out, started, inputHash, cacheKey, params, paramsHash);
        return undefined;
      };
      for (let k = 0; k < count; k++) {
        const pendingInfer = start(at(k));
        if (!pendingInfer) continue;
        const rest = Array.from({ length: count - k - 1 }, (_, j) => at(k + 1 + j));
        await Promise.all([pendingInfer, mapLimit(rest, Math.max(1, this.inferConcurrency - 1), async (j) => start(j))]);
        break;
      }
    }
    const profiles = this.profileBatch(rel, parsed, partitionAt, now);
    // Per-version outcome totals are written with the inferences they count (never drift apart).
    // So is the per-minute activity the console charts.
    const rollup = inferences.length ? rollUpInferences(inferences) : null;
    const minutes = inferences.length ? rollUpMinutes(inferences) : null;
    const hours = inferences.length ? rollUpHours(inferences) : null;
    const shard = outcomeShard(this.db.provider);
    await this.db.tx(function* () {
      yield* insertIngest(rowInserts, inferences, pending, profiles, shard);
      if (rollup) yield* addOutcomes(rollup, shard);
      if (minutes) yield* addMinutes(minutes, shard);
      if (hours) yield* addHours(hours, shard);
      if (alsoWrite) yield* alsoWrite(results);
    });
    for (let r = 0; r < routes.length; r++) {
      const { trigger, route } = routes[r]!;
      if (route.backpressure) this.backpressure.added(trigger.name, route.name, selections[r] ? selections[r]!.length : n);
    }
    for (const s of sheds) await this.backpressure.shed(s.trigger, s.route, s.excess);
    // Only now, with the caller's answers stored: the shadow work runs on later turns.
    for (const job of shadowJobs) this.shadowQueue.push(job);
    if (fitTriggers.size && this.scheduler) this.scheduler.notify(fitTriggers);
    this.driftMonitor.noteIngest(rel, profiles.length ? profiles.map((p) => p.partition) : [partitionAt(0)]);
    await this.fairness();
    return results;
  }

  /** One mergeable profile per partition of the batch, stored with the rows. */
  private profileBatch(rel: Relation, parsed: unknown[], partitionAt: (i: number) => string, now: Date): ProfileInsert[] {
    if (!rel.drift.profile.enabled) return [];
    const byPartition = new Map<string, ProfileAccumulator>();
    for (let i = 0; i < parsed.length; i++) {
      const key = partitionAt(i);
      let acc = byPartition.get(key);
      if (!acc) byPartition.set(key, (acc = new ProfileAccumulator(rel.drift.profile)));
      acc.add(parsed[i]);
    }
    const nowMs = now.getTime();
    return [...byPartition].map(([partition, acc]) => ({
      id: newId(nowMs), relation: rel.name, partition, rows: acc.rows, profile: JSON.stringify(acc.toJSON()), createdAt: now,
    }));
  }

  private lastYield = performance.now();
  private loopTurned = true;

  /**
   * On SQLite every await in add resolves without I/O, so a caller adding in a tight loop
   * would never let the event loop deliver a finished fit. Every few ms, yield a turn — but
   * only if the loop has had none since the last check: a yield exposes this add's answer to
   * whatever else is queued (a retention batch, a drift check), which a caller that already
   * lets the loop turn between adds should not pay for.
   */
  private async fairness(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < 4) return;
    this.lastYield = now;
    if (!this.loopTurned) await new Promise((resolve) => setImmediate(resolve));
    this.loopTurned = false;
    setImmediate(this.markTurn);
  }

  private readonly markTurn = () => {
    this.loopTurned = true;
  };

  /** A trigger's correction schema as JSON Schema (with `optionsFrom` hints), or null when it declares none. */
  correctionSchemaOf(trigger: string): JsonSchema | null {
    const schema = this.trigger(trigger).correction;
    if (!schema) return null;
    let published = this.correctionSchemas.get(trigger);
    if (!published) this.correctionSchemas.set(trigger, (published = correctionJsonSchema(schema)));
    return published;
  }

  /**
   * The values a correction field of `trigger` may take (a field with an `optionsFrom` hint,
   * by its path in the schema, e.g. ["source"]): distinct values of the hinted relation field,
   * with labels, filtered by a case-insensitive `search` of value or label. NotFoundError when
   * the trigger has no such field.
   */
  async correctionOptions(trigger: string, path: readonly string[], query: { search?: string; limit?: number } = {}): Promise<{ relation: string; field: string; items: OptionValue[] }> {
    const schema = this.correctionSchemaOf(trigger);
    const hint = schema && optionsFromFields(schema).find((f) => f.path.join(".") === path.join("."));
    if (!hint) throw new NotFoundError(`trigger ${trigger} has no correction field ${path.join(".") || "(root)"} with options`);
    const provider = this.db.provider;
    const limit = Math.max(1, Math.min(query.limit ?? 50, 500));
    const items = await this.db.read(() => optionValues(provider, hint.optionsFrom, { search: query.search?.trim() || undefined, limit }));
    return { relation: hint.optionsFrom.relation, field: hint.optionsFrom.field, items };
  }

  /** Labels an inference; the label is also a row of the built-in `feedback` relation. */
  async feedback(inferenceId: string, input: FeedbackInput): Promise<{ id: string; rowId: string }> {
    const parsed = feedbackInput.safeParse(input);
    if (!parsed.success) throw new ValidationError("feedback", ValidationError.fromZod("feedback", 0, parsed.error));
    const inference = await this.db.read(() => LABELED_INFERENCE.first(inferenceId));
    if (!inference) throw new NotFoundError(`no inference ${inferenceId}`);
    const schema = this.app.trigger(inference.trigger)?.correction ?? null;
    const correction = validateCorrection(schema, parsed.data.correction);
    if (schema && correction !== undefined) {
      const published = this.correctionSchemaOf(inference.trigger)!;
      const provider = this.db.provider;
      await this.db.read(() => checkOptionValues(provider, published, correction));
    }
    const holder = parsed.data.holder;
    if (holder) await this.db.read(() => assertNotHeldByOther(inferenceId, holder, new Date()));
    const row = await this.db.read(() => ROW_DATA.first(inference.rowId));
    const data: FeedbackRow = {
      inferenceId, trigger: inference.trigger, route: inference.route, label: parsed.data.label,
      correction, note: parsed.data.note, actor: parsed.data.actor,
      input: row ? decodeJson(this.db.provider, row.data) : null, output: decodeJson(this.db.provider, inference.output),
    };
    const [stored] = await this.addMany(feedbackRelation, [data]);
    const id = newId();
    const provider = this.db.provider;
    const shard = outcomeShard(provider);
    await this.db.tx(function* () {
      // Labels of one inference serialise on its row, so the outcome counts follow exactly
      // the latest label (by id) even when two labelers save at once.
      if (provider === "postgresql") yield* LOCK_INFERENCE.all(inferenceId);
      const previous = yield* LATEST_LABEL.first(inferenceId);
      yield* INSERT_LABEL.run(id, inferenceId, stored!.id, inference.trigger, data.label, data.correction === undefined ? null : JSON.stringify(data.correction), data.note ?? null, data.actor, new Date());
      // The maintained flag the "unlabeled" filters read through an index.
      const flagged = yield* FLAG_LABELED.run(inferenceId);
      if (flagged > 0) yield* addLabeledTally(new Map([[inference.trigger, 1]]));
      yield* addLabelTally([{ trigger: inference.trigger, actor: data.actor, label: data.label, labels: 1 }]);
      yield* releaseLocks(inferenceId);
      yield* markDoneEverywhere(inferenceId, data.actor, new Date());
      if (previous && previous.id > id) return; // a label made later (another process) stays the latest
      const before = previous ? { label: previous.label, corrected: Number(previous.corrected) === 1 } : null;
      const delta = labelDelta(before, { label: data.label, corrected: data.correction !== undefined });
      yield* addOutcomes({
        outcomes: [{ trigger: inference.trigger, stateVersion: Number(inference.stateVersion), paramsHash: inference.paramsHash, inferences: 0, errors: 0, cached: 0, latencySum: 0, ...delta }],
        latencies: [],
      }, shard);
      // Over time, the label counts in the hour its inference was stored in.
      yield* addHours(labelHours([{ trigger: inference.trigger, stateVersion: Number(inference.stateVersion), hour: hourOf(toDate(inference.createdAt)), paramsHash: inference.paramsHash, ...delta }]), shard);
    });
    if (this.experiments.get(inference.trigger)?.settings.rule) {
      await this.evaluatePromotion(inference.trigger).catch((error) => this.log.error({ trigger: inference.trigger, err: (error as Error).message }, "promotion rule failed"));
    }
    return { id, rowId: stored!.id };
  }

  /**
   * Gives scores the trigger declares (`scores` in its definition) to an inference, by name; a
   * null value clears one. Every value is checked first (ValidationError at ["scores", name],
   * nothing written); another labeler's live queue lock refuses them (ConflictError).
   */
  async score(inferenceId: string, input: { scores: Record<string, unknown>; actor: string; holder?: string }): Promise<void> {
    if (!input.actor) throw new ValidationError("scores", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const inference = await this.db.read(() => INFERENCE_TRIGGER.first(inferenceId));
    if (!inference) throw new NotFoundError(`no inference ${inferenceId}`);
    const configs = this.app.trigger(inference.trigger)?.scores ?? {};
    const issues = scoreIssues(configs, input.scores ?? {});
    if (issues.length) throw new ValidationError("scores", issues);
    const holder = input.holder;
    const now = new Date();
    await this.db.tx(function* () {
      if (holder) yield* assertNotHeldByOther(inferenceId, holder, now);
      yield* writeScores(inferenceId, inference.trigger, input.scores, input.actor, now);
    });
  }

  /**
   * Re-points `active` at an earlier (or any existing) version of the trigger. Fits continue
   * from it. With `pin`, fits are held until `unpin` so infer stays on this version. A version
   * in an older state schema is migrated on the fly into a new version (parent: that version)
   * and `active` points there (`migratedFrom` says which version it came from); with no
   * migration path the rollback is refused (StateMigrationError, a CONFLICT) and nothing moves.
   */
  async rollback(trigger: string, version: number, options: RollbackOptions): Promise<{ from: number; to: number; requeuedLabels: number; migratedFrom: number | null }> {
    const t = this.trigger(trigger);
    if (!Number.isInteger(version) || version < 0) throw new ValidationError("rollback", [{ index: 0, path: ["version"], message: "version must be a non-negative integer", code: "invalid_type" }]);
    if (!options.actor) throw new ValidationError("rollback", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const provider = this.db.provider;
    const target = await this.db.read(() => readVersionSchema(trigger, version));
    if (!target) throw new NotFoundError(`trigger ${trigger} has no state version ${version}; a rollback can only point at a version of the same trigger`);
    assertNotCollected({ trigger, version, collectedAt: target.collectedAt ? toDate(target.collectedAt) : null });
    let migrated: State | null = null;
    if (target.schema !== t.stateSchema) {
      if (!migrationPath(t, target.schema)) throw noPathError(t, version, target.schema, "rollback refused");
      const { info, state } = await this.store.load(trigger, version);
      migrated = await runMigrations(t, info, state, this.log, "rollback refused");
    }
    const now = new Date();
    const moved = await this.db.tx(function* () {
      const aliases = yield* readAliases(trigger, provider);
      if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
      const exists = yield* selectFirst(storage.selectFrom("StateVersion").select(["version", "collectedAt"]).where("trigger", "=", trigger).where("version", "=", version));
      if (!exists) throw new NotFoundError(`trigger ${trigger} has no state version ${version}`);
      // A collected version has no values to serve: refuse before moving anything.
      assertNotCollected({ trigger, version, collectedAt: exists.collectedAt ? toDate(exists.collectedAt) : null });
      const to = migrated ? (yield* insertMigratedVersion(t, version, migrated, now, provider)).version : version;
      const reason = migrated ? `${options.reason ? `${options.reason}; ` : ""}version ${version} (state schema ${target.schema}) migrated to schema ${t.stateSchema} as version ${to}` : options.reason ?? null;
      yield* moveAlias({ trigger, alias: "active", from: aliases.active, to, actor: options.actor, reason, pinned: options.pin ?? false, at: now });
      const requeuedLabels = options.refitLabels ? yield* requeueLabels(t, aliases.active, version, now) : 0;
      const migration = migrated ? { migratedFrom: version, fromSchema: target.schema, schema: t.stateSchema } : {};
      yield* recordAudit({ actor: options.actor, action: "state.rollback", target: trigger, reason: options.reason, data: { from: aliases.active, to, pin: options.pin ?? false, ...migration, ...(options.refitLabels ? { refitLabels: true, requeuedLabels } : {}) }, at: now });
      if (provider === "postgresql") yield* pgNotify("motion_state", trigger);
      return { from: aliases.active, to, requeuedLabels, migratedFrom: migrated ? version : null };
    });
    await this.refresh(trigger);
    this.stateEvents.emit(trigger);
    this.scheduler?.kick(trigger);
    return moved;
  }

  /**
   * Migrates `active` and `latest` of each trigger (or one) whose state is behind its
   * `stateSchema` into new versions, as `open` does; exactly once across processes. Returns the
   * migrations made (none when every trigger is current). A migrate that throws is a
   * StateMigrationError and nothing is written.
   */
  async migrateStates(options: { trigger?: string; reason?: string } = {}): Promise<TriggerMigration[]> {
    const triggers = options.trigger ? [this.trigger(options.trigger)] : this.app.triggers;
    const out: TriggerMigration[] = [];
    for (const t of triggers) {
      const done = await migrateTrigger({ db: this.db, store: this.store, log: this.log }, t, { reason: options.reason });
      if (!done) continue;
      out.push(done);
      await this.refresh(t.name);
      this.stateEvents.emit(t.name);
      this.scheduler?.kick(t.name);
    }
    return out;
  }

  /** A trigger's candidate, active and effective shadow/canary/rule settings, from the database. */
  async experiment(trigger: string): Promise<ExperimentView> {
    const t = this.trigger(trigger);
    const read = await this.db.read(function* () {
      return { aliases: yield* readAliases(trigger), candidate: yield* readCandidate(trigger), stored: yield* readSettings(trigger) };
    });
    if (!read.aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
    const settings = read.stored ?? t.experiment;
    return {
      trigger, active: read.aliases.active, pinned: read.aliases.pinned, candidate: read.candidate,
      shadow: { share: settings.shadowShare }, canary: { share: settings.canaryShare }, rule: settings.rule, source: read.stored ? "runtime" : "declared",
    };
  }

  /**
   * Sets runtime shadow/canary shares and the promotion rule (validated: a share outside 0..1
   * is a ValidationError at `shadow.share` / `canary.share`; audited). Omitted parts keep their
   * current value; `rule: null` removes the rule. Every process follows.
   */
  async setExperiment(trigger: string, patch: ExperimentPatch, options: { actor: string }): Promise<ExperimentView> {
    const t = this.trigger(trigger);
    const parsed = experimentPatch.safeParse(patch);
    if (!parsed.success) throw new ValidationError("experiment", ValidationError.fromZod("experiment", 0, parsed.error));
    if (!options.actor) throw new ValidationError("experiment", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const provider = this.db.provider;
    const now = new Date();
    await this.db.tx(function* () {
      const stored = yield* readSettings(trigger);
      const current = stored ?? t.experiment;
      const next: StoredSettings = {
        shadowShare: parsed.data.shadow?.share ?? current.shadowShare,
        canaryShare: parsed.data.canary?.share ?? current.canaryShare,
        rule: parsed.data.rule === undefined ? current.rule : parsed.data.rule,
        // Declared variants stay declared (followed on redeploy) until variants are set at run time.
        variants: stored ? stored.variants : null,
      };
      yield* writeSettings(trigger, next, options.actor, now);
      const { variants: _variants, ...audited } = next;
      yield* recordAudit({ actor: options.actor, action: "state.experiment", target: trigger, data: audited, at: now });
      if (provider === "postgresql") yield* pgNotify("motion_state", trigger);
    });
    await this.loadExperiment(trigger);
    return this.experiment(trigger);
  }

  /**
   * A trigger's params variants: the default (its own params, serving what the weights leave)
   * and each variant with its overrides, effective params, hash and weight, in routing order.
   * `source` is "runtime" once an admin set variants (they replace the declared ones).
   */
  async variants(trigger: string): Promise<VariantsView> {
    const t = this.trigger(trigger);
    const stored = await this.db.read(() => readSettings(trigger));
    const specs = stored?.variants ?? t.experiment.variants;
    const base = this.paramsOf(trigger);
    const { resolved } = resolveVariants(t.params, base, specs);
    const byName = new Map(resolved.map((v) => [v.name, v]));
    const used = specs.reduce((sum, v) => sum + v.weight, 0);
    return {
      trigger,
      source: stored?.variants ? "runtime" : "declared",
      default: { name: DEFAULT_VARIANT, params: base.params, hash: base.hash, weight: Math.max(0, Math.round((1 - used) * 1e9) / 1e9) },
      variants: specs.map((v) => {
        const r = byName.get(v.name);
        return { name: v.name, overrides: v.params, params: r?.effective ?? null, hash: r?.hash ?? null, weight: v.weight };
      }),
    };
  }

  /**
   * Adds a params variant at run time (admin; audited; every process follows). Its params are
   * merged over the trigger's params and validated by the trigger's schema: issues at
   * ["params", …]; a taken name at ["name"]; weights outside 0..1 or summing above 1 at ["weight"].
   */
  async addVariant(trigger: string, variant: { name: string; params?: Record<string, unknown>; weight?: number }, options: { actor: string }): Promise<VariantsView> {
    const spec = { name: variant?.name, params: variant?.params ?? {}, weight: variant?.weight ?? 0 } as VariantSpec;
    return this.changeVariants(trigger, options, "trigger.variant.add", { name: spec.name }, (current) => {
      const name = variantName.safeParse(spec.name);
      if (!name.success) return { issues: [{ index: 0, path: ["name"], message: name.error.issues[0]!.message, code: "invalid_variant" }] };
      if (current.some((v) => v.name === spec.name)) return { issues: [{ index: 0, path: ["name"], message: `trigger ${trigger} has a variant ${spec.name} already`, code: "variant_exists" }] };
      return { next: [...current, spec], at: current.length };
    });
  }

  /**
   * Sets the weights of existing variants (others keep theirs): an unknown variant is a
   * ValidationError at ["weights", name], a weight outside 0..1 at ["weights", name], a sum above
   * 1 at ["weights"]. The same keys stay on the same variant while weights are unchanged.
   */
  async setVariantWeights(trigger: string, weights: Record<string, number>, options: { actor: string }): Promise<VariantsView> {
    return this.changeVariants(trigger, options, "trigger.variant.weights", { weights }, (current) => {
      const issues: RowIssue[] = [];
      if (typeof weights !== "object" || weights === null) return { issues: [{ index: 0, path: ["weights"], message: "weights is an object of weights by variant name", code: "invalid_type" }] };
      for (const [name, w] of Object.entries(weights)) {
        if (!current.some((v) => v.name === name)) issues.push({ index: 0, path: ["weights", name], message: `trigger ${trigger} has no params variant ${name}`, code: "unknown_variant" });
        const ok = variantWeight.safeParse(w);
        if (!ok.success) issues.push({ index: 0, path: ["weights", name], message: ok.error.issues[0]!.message, code: "invalid_weight" });
      }
      if (issues.length) return { issues };
      const next = current.map((v) => (v.name in weights ? { ...v, weight: weights[v.name]! } : v));
      const sum = next.reduce((a, v) => a + v.weight, 0);
      if (sum > 1 + 1e-9) return { issues: [{ index: 0, path: ["weights"], message: `variant weights sum to ${Math.round(sum * 1e6) / 1e6}, above 1`, code: "weights_above_one" }] };
      return { next };
    });
  }

  /** Removes a params variant (NotFoundError when there is none of that name); its past inferences keep their hash. */
  async removeVariant(trigger: string, name: string, options: { actor: string }): Promise<VariantsView> {
    return this.changeVariants(trigger, options, "trigger.variant.remove", { name }, (current) => {
      if (!current.some((v) => v.name === name)) throw new NotFoundError(`trigger ${trigger} has no params variant ${name}`);
      return { next: current.filter((v) => v.name !== name) };
    });
  }

  /** Reads the variants in a transaction, applies `change`, validates the whole set, stores and audits it. */
  private async changeVariants(
    trigger: string,
    options: { actor: string },
    action: string,
    audit: Record<string, unknown>,
    change: (current: VariantSpec[]) => { issues: RowIssue[] } | { next: VariantSpec[]; at?: number },
  ): Promise<VariantsView> {
    const t = this.trigger(trigger);
    if (!options?.actor) throw new ValidationError("variants", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const base = this.paramsOf(trigger);
    const provider = this.db.provider;
    const now = new Date();
    await this.db.tx(function* () {
      const stored = yield* readSettings(trigger);
      const current = stored?.variants ?? t.experiment.variants;
      const changed = change(current);
      if ("issues" in changed) throw new ValidationError("variants", changed.issues);
      const { next, at } = changed;
      // Issues of the variant being added are reported at its own fields (["params", "k"], ["weight"]).
      const { issues } = resolveVariants(t.params, base, next, (i) => (i === at ? [] : ["variants", next[i]!.name]));
      if (issues.length) throw new ValidationError("variants", issues.map((x) => (at !== undefined && x.path[0] === "variants" && x.path[1] === next[at]?.name ? { ...x, path: x.path.slice(2) } : x)));
      const settings = stored ?? t.experiment;
      yield* writeSettings(trigger, { shadowShare: settings.shadowShare, canaryShare: settings.canaryShare, rule: settings.rule, variants: next }, options.actor, now);
      yield* recordAudit({ actor: options.actor, action, target: trigger, data: { ...audit, variants: next }, at: now });
      if (provider === "postgresql") yield* pgNotify("motion_state", trigger);
    });
    await this.loadExperiment(trigger);
    return this.variants(trigger);
  }

  /** Points the trigger's `candidate` alias at an existing version (not the active one). */
  async setCandidate(trigger: string, version: number, options: { actor: string; reason?: string }): Promise<{ from: number | null; to: number }> {
    this.trigger(trigger);
    if (!Number.isInteger(version) || version < 0) throw new ValidationError("candidate", [{ index: 0, path: ["version"], message: "version must be a non-negative integer", code: "invalid_type" }]);
    if (!options.actor) throw new ValidationError("candidate", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const provider = this.db.provider;
    const moved = await this.db.tx(() => setCandidate(provider, trigger, version, options, new Date()));
    await this.loadExperiment(trigger);
    return moved;
  }

  /** Moves `candidate` → `active` and clears the candidate (alias moves with actor and reason, audited). */
  async promote(trigger: string, options: { actor: string; reason?: string }): Promise<{ from: number; to: number; pinned: boolean }> {
    this.trigger(trigger);
    if (!options.actor) throw new ValidationError("promote", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const provider = this.db.provider;
    const moved = await this.db.tx(() => promoteCandidate(provider, trigger, options, new Date()));
    await this.refresh(trigger);
    this.scheduler?.kick(trigger);
    return moved;
  }

  /** Clears the candidate (shadow and canary stop); active is untouched. */
  async abort(trigger: string, options: { actor: string; reason?: string }): Promise<{ from: number }> {
    this.trigger(trigger);
    if (!options.actor) throw new ValidationError("abort", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const provider = this.db.provider;
    const moved = await this.db.tx(() => abortCandidate(provider, trigger, options, new Date()));
    await this.loadExperiment(trigger);
    return moved;
  }

  /**
   * Runs the trigger's promotion rule now (it also runs after each label of the trigger):
   * on the candidate's own labels when it has `minLabels` (canary), else on shadow pairs.
   * A promote/abort decision is applied as a move by `rule:<name>` with the figures as reason.
   */
  async evaluatePromotion(trigger: string): Promise<PromotionEvaluation> {
    this.trigger(trigger);
    const view = await this.experiment(trigger);
    const rule = view.rule;
    const base = { trigger, active: view.active, candidate: view.candidate };
    if (!rule) return { ...base, basis: null, decision: { action: "wait", reason: "no promotion rule", z: null }, applied: false };
    if (view.candidate === null) return { ...base, basis: null, decision: { action: "wait", reason: "no candidate", z: null }, applied: false };
    const candidate = view.candidate;
    const provider = this.db.provider;
    const { outcomes, shadow } = await this.db.read(function* () {
      return { outcomes: yield* readOutcomes(trigger, [view.active, candidate]), shadow: yield* readShadowSummary(provider, trigger, candidate) };
    });
    const counts = (v: number) => {
      const f = outcomes.find((o) => o.version === v)?.feedback;
      return { good: f?.good ?? 0, bad: f?.bad ?? 0 };
    };
    const own = counts(candidate);
    let basis: PromotionEvaluation["basis"] = "canary";
    let decision = decide(rule, own, counts(view.active));
    if (decision.action === "wait" && own.good + own.bad < rule.minLabels && shadow.judged >= rule.minLabels) {
      basis = "shadow";
      decision = decide(rule, { good: shadow.candidateGood, bad: shadow.judged - shadow.candidateGood }, { good: shadow.activeGood, bad: shadow.judged - shadow.activeGood });
    }
    if (decision.action === "wait") return { ...base, basis, decision, applied: false };
    const who = { actor: `rule:${rule.name}`, reason: `${basis}: ${decision.reason}` };
    try {
      if (decision.action === "promote") await this.promote(trigger, who);
      else await this.abort(trigger, who);
    } catch (error) {
      // Another process (or label) decided first: the candidate is gone already.
      if (error instanceof ConflictError) return { ...base, basis, decision, applied: false };
      throw error;
    }
    return { ...base, basis, decision, applied: true };
  }

  /**
   * Runs every trigger's promotion rule that has a rule and a candidate (what the timer of
   * `experiments.ruleIntervalMs` does); a failing trigger is logged and the others still run.
   */
  async evaluateRules(): Promise<PromotionEvaluation[]> {
    const out: PromotionEvaluation[] = [];
    for (const t of this.app.triggers) {
      if (this.closed) break;
      if (!this.experiments.get(t.name)?.settings.rule || !this.candidates.has(t.name)) continue;
      try {
        out.push(await this.evaluatePromotion(t.name));
      } catch (error) {
        this.log.error({ trigger: t.name, err: (error as Error).message }, "promotion rule failed");
      }
    }
    return out;
  }

  /**
   * Shadow inferences newest first with the caller's answer, its label and the implied verdict on
   * the shadow answer (see experiments/shadow-read.ts); `differsOnly` keeps rows whose answers differ.
   */
  async shadowRows(trigger: string, query: { version?: number; differsOnly?: boolean; cursor?: string | null; limit?: number } = {}): Promise<{ items: ShadowRow[]; nextCursor: string | null }> {
    this.trigger(trigger);
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError("shadow", [{ index: 0, path: ["limit"], message: "limit must be an integer in 1..500", code: "invalid_type" }]);
    const provider = this.db.provider;
    return this.db.read(() => readShadowRows(provider, { trigger, version: query.version, differsOnly: query.differsOnly ?? false, cursor: query.cursor, limit }));
  }

  /** Active and candidate on the same (shadowed) inputs: counts, differing answers, good-rates with Wilson intervals. */
  async shadowSummary(trigger: string, version: number): Promise<ShadowSummary> {
    this.trigger(trigger);
    const provider = this.db.provider;
    return this.db.readLong(() => readShadowSummary(provider, trigger, version));
  }

  /** Shadow work done, dropped (queue full) and waiting in this process; `idle()` waits for it. */
  get shadow(): { stats: ShadowStats; idle: () => Promise<void> } {
    return { stats: this.shadowQueue.stats, idle: () => this.shadowQueue.idle() };
  }

  /**
   * The trigger's own `evaluate` on each of these versions, over the latest labels of the
   * outputs each version served (newest labels first, at most `limit` labeled inferences a
   * version, default 1,000). `declared` is false when the trigger has no `evaluate`: then only
   * the example counts are given. A long read.
   */
  async evaluate(trigger: string, options: { versions: number[]; limit?: number }): Promise<{ trigger: string; declared: boolean; versions: VersionEvaluation[] }> {
    const t = this.trigger(trigger);
    const issue = (path: (string | number)[], message: string) => new ValidationError("evaluate", [{ index: 0, path, message, code: "invalid_type" }]);
    if (!Array.isArray(options.versions) || options.versions.length === 0 || options.versions.length > MAX_EVALUATE_VERSIONS) {
      throw issue(["versions"], `versions must be an array of 1 to ${MAX_EVALUATE_VERSIONS} version numbers`);
    }
    const bad = options.versions.findIndex((v) => !Number.isInteger(v) || v < 0);
    if (bad >= 0) throw issue(["versions", bad], "a version is a non-negative integer");
    const limit = options.limit ?? 1_000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 5_000) throw issue(["limit"], "limit must be an integer in 1..5000");
    const wanted = [...new Set(options.versions)];
    const provider = this.db.provider;
    const examples = await this.db.readLong(function* () {
      const found = yield* selectAll(storage.selectFrom("StateVersion").select("version").where("trigger", "=", trigger).where("version", "in", wanted));
      const have = new Set(found.map((f) => Number(f.version)));
      const missing = wanted.filter((v) => !have.has(v));
      if (missing.length) return { missing };
      const out: LabeledExample[][] = [];
      for (const v of wanted) out.push(yield* readVersionExamples(provider, trigger, v, limit));
      return { missing, out };
    });
    if (examples.missing.length) throw new NotFoundError(`trigger ${trigger} has no state version ${examples.missing.join(", ")}`);
    const evaluate = t.evaluate;
    return {
      trigger,
      declared: evaluate !== null,
      versions: wanted.map((v, i) => {
        const ex = examples.out![i]!;
        return evaluate ? evaluateExamples(evaluate, v, ex) : { version: v, examples: ex.length, metrics: null, error: null };
      }),
    };
  }

  /**
   * Per-version outcomes of a trigger (inferences, errors, latency, cache hits, labels with a
   * Wilson interval, fit metrics), newest version first: the given `versions` (all must
   * exist), or a page of `limit` versions below `before`. Reads rollup tables only.
   */
  async outcomes(trigger: string, options: { versions?: number[]; before?: number; limit?: number } = {}): Promise<{ trigger: string; versions: VersionOutcomes[]; nextCursor: number | null }> {
    this.trigger(trigger);
    const issue = (path: (string | number)[], message: string) => new ValidationError("outcomes", [{ index: 0, path, message, code: "invalid_type" }]);
    const isVersion = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
    if (options.versions !== undefined) {
      if (!Array.isArray(options.versions) || options.versions.length > MAX_OUTCOME_VERSIONS) throw issue(["versions"], `versions must be an array of at most ${MAX_OUTCOME_VERSIONS} version numbers`);
      const bad = options.versions.findIndex((v) => !isVersion(v));
      if (bad >= 0) throw issue(["versions", bad], "a version is a non-negative integer");
      const wanted = [...new Set(options.versions)];
      const versions = await this.db.read(() => readOutcomes(trigger, wanted));
      const found = new Set(versions.map((v) => v.version));
      const missing = wanted.filter((v) => !found.has(v));
      if (missing.length) throw new NotFoundError(`trigger ${trigger} has no state version ${missing.join(", ")}`);
      return { trigger, versions, nextCursor: null };
    }
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_OUTCOME_VERSIONS) throw issue(["limit"], `limit must be an integer in 1..${MAX_OUTCOME_VERSIONS}`);
    if (options.before !== undefined && !isVersion(options.before)) throw issue(["before"], "before is a non-negative integer");
    const before = options.before;
    const page = await this.db.read(function* () {
      let versions = storage.selectFrom("StateVersion").select("version").where("trigger", "=", trigger);
      if (before !== undefined) versions = versions.where("version", "<", before);
      const rows = yield* selectAll(versions.orderBy("version", "desc").limit(limit + 1));
      const numbers = rows.map((r) => Number(r.version));
      return { more: numbers.length > limit, versions: yield* readOutcomes(trigger, numbers.slice(0, limit)) };
    });
    return { trigger, versions: page.versions, nextCursor: page.more ? page.versions[page.versions.length - 1]!.version : null };
  }

  /**
   * Outcomes of a trigger over time, one series per picked version (`versions`, each summing
   * its params hashes) or per params hash (`paramsHashes`, on `version` or on every version),
   * in buckets of an hour when `to - from` is at most 7 days and of a UTC day beyond (the range
   * is widened to whole buckets); a range that starts before the bookkeeping window
   * (`retention.bookkeepingDays`) is read in days, as those days are folded into one row each. Defaults: `to` now, `from` 7 days before `to`. A label counts
   * in the bucket of the inference it labels, whenever it was given. Reads the hourly rollup
   * tables only: the cost grows with hours × params hashes in range, never with inferences.
   */
  async outcomesOverTime(
    trigger: string,
    options: { versions?: number[]; paramsHashes?: string[]; version?: number; from?: Date; to?: Date },
  ): Promise<OutcomesOverTime> {
    this.trigger(trigger);
    const issue = (path: (string | number)[], message: string) => new ValidationError("outcomesOverTime", [{ index: 0, path, message, code: "invalid_type" }]);
    const isVersion = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
    const isDate = (d: unknown): d is Date => d instanceof Date && Number.isFinite(d.getTime());
    if ((options.versions === undefined) === (options.paramsHashes === undefined)) throw issue(["versions"], "give either versions or paramsHashes");
    let selection: OverTimeSelection;
    if (options.versions !== undefined) {
      if (!Array.isArray(options.versions) || options.versions.length < 1 || options.versions.length > MAX_OUTCOME_VERSIONS) throw issue(["versions"], `versions must be 1 to ${MAX_OUTCOME_VERSIONS} version numbers`);
      const bad = options.versions.findIndex((v) => !isVersion(v));
      if (bad >= 0) throw issue(["versions", bad], "a version is a non-negative integer");
      selection = { kind: "versions", versions: [...new Set(options.versions)] };
    } else {
      const hashes = options.paramsHashes;
      if (!Array.isArray(hashes) || hashes.length < 1 || hashes.length > MAX_OUTCOME_VERSIONS) throw issue(["paramsHashes"], `paramsHashes must be 1 to ${MAX_OUTCOME_VERSIONS} hashes`);
      const bad = hashes.findIndex((h) => typeof h !== "string" || h.length === 0 || h.length > 200);
      if (bad >= 0) throw issue(["paramsHashes", bad], "a params hash is a non-empty string");
      if (options.version !== undefined && !isVersion(options.version)) throw issue(["version"], "version is a non-negative integer");
      selection = { kind: "params", paramsHashes: [...new Set(hashes)], version: options.version ?? null };
    }
    const to = options.to ?? new Date();
    if (!isDate(to)) throw issue(["to"], "to must be a valid date");
    const from = options.from ?? new Date(to.getTime() - 7 * 86_400_000);
    if (!isDate(from)) throw issue(["from"], "from must be a valid date");
    if (from.getTime() >= to.getTime()) throw issue(["to"], "to must be after from");
    if (to.getTime() - from.getTime() > MAX_OVER_TIME_RANGE_MS) throw issue(["from"], `the range is at most ${MAX_OVER_TIME_RANGE_MS / 86_400_000} days`);
    // Days before the bookkeeping window hold one row per day (outcome-compaction.ts).
    const range = overTimeBucket(from, to, compactedBefore(Date.now() - this.retentionService.bookkeepingDays * 86_400_000));
    const provider = this.db.provider;
    const wanted = selection.kind === "versions" ? selection.versions : selection.version !== null ? [selection.version] : [];
    const series = await this.db.read(function* () {
      if (wanted.length) {
        const found = yield* selectAll(storage.selectFrom("StateVersion").select("version").where("trigger", "=", trigger).where("version", "in", wanted));
        const have = new Set(found.map((f) => Number(f.version)));
        const missing = wanted.filter((v) => !have.has(v));
        if (missing.length) throw new NotFoundError(`trigger ${trigger} has no state version ${missing.join(", ")}`);
      }
      return yield* readOutcomesOverTime(provider, trigger, selection, range);
    });
    return { trigger, from: range.from, to: range.to, bucket: range.bucket, bucketMs: range.bucketMs, series };
  }

  /**
   * What moving `active` from version `from` to `to` changes: state keys added, removed and
   * changed (sizes, checksums, a bounded structural diff of JSON values) and the fits, rows and
   * labels on each side of the two versions' common ancestor.
   */
  async diffVersions(trigger: string, from: number, to: number): Promise<VersionDiff> {
    this.trigger(trigger);
    for (const [name, v] of [["from", from], ["to", to]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new ValidationError("diff", [{ index: 0, path: [name], message: `${name} must be a non-negative integer`, code: "invalid_type" }]);
    }
    return this.db.read(() => diffVersions(trigger, from, to));
  }

  /**
   * Lets `active` follow `latest` again after a pinned rollback; held fits resume. Audited
   * (`state.unpin`) in the same transaction, also when the trigger was not pinned.
   */
  async unpin(trigger: string, options: { actor: string; reason?: string }): Promise<void> {
    this.trigger(trigger);
    const now = new Date();
    await this.db.tx(function* () {
      const aliases = yield* readAliases(trigger);
      if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
      if (aliases.pinned) {
        yield* moveAlias({ trigger, alias: "active", from: aliases.active, to: aliases.active, actor: options.actor, reason: options.reason ?? "unpin", pinned: false, at: now });
      }
      yield* recordAudit({ actor: options.actor, action: "state.unpin", target: trigger, reason: options.reason ?? null, at: now });
    });
    this.scheduler?.kick(trigger);
  }

  /** Sets params (validated against the trigger's schema; audited); every process follows. */
  async setParams(trigger: string, params: Record<string, unknown>, options: { actor: string }): Promise<{ params: unknown; hash: string }> {
    this.trigger(trigger);
    return this.params.set(trigger, params, options.actor);
  }

  /**
   * Deletes a row (e.g. a data-removal request) with its inferences, labels, review locks,
   * the feedback rows mirroring those labels, and its pending fit entries, in one audited
   * transaction. Fitted state versions keep what they learned (see row-deletion.ts).
   */
  async deleteRow(id: string, options: { actor: string; reason?: string }): Promise<DeletedRow> {
    if (!options.actor) throw new ValidationError("deleteRow", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const routes = this.app.triggers.flatMap((t) => t.routes.map((r) => ({ trigger: t.name, route: r.name })));
    const deleted = await this.db.tx(() => deleteRow(id, routes, { actor: options.actor, reason: options.reason }));
    if (!deleted) throw new NotFoundError(`no row ${id}`);
    return deleted;
  }

  /**
   * Inferences newest first with their input and labels, filtered (trigger, relation, version,
   * label, labeler, latency, errors) and optionally searched for text (a bounded scan: see
   * read-model/inference-search.ts).
   */
  async searchInferences(search: InferenceSearch): Promise<InferencePage> {
    if (search.trigger !== undefined) this.trigger(search.trigger);
    if (search.relation !== undefined) this.relation(search.relation);
    const provider = this.db.provider;
    // A text search scans a window and an "unlabeled" filter may walk many labeled inferences:
    // long reads, off the event loop that serves answers (SQLite: the reader thread).
    const long = !!search.text?.trim() || search.labeled === false;
    return long ? this.db.readLong(() => searchInferences(provider, search)) : this.db.read(() => searchInferences(provider, search));
  }

  /**
   * Labeled inferences of a trigger, a page at a time (latest label each), as raw records,
   * CSV, JSON Lines or OpenAI chat JSONL through the trigger's `trainingExample`.
   */
  async exportLabels(query: LabelExportQuery & { format: LabelExportFormat; system?: string }): Promise<LabelExport> {
    const t = this.trigger(query.trigger);
    const provider = this.db.provider;
    // Exports read pages of up to 5,000 labeled inferences: a long read, off the event loop.
    const { items, nextCursor } = await this.db.readLong(() => readLabelPage(provider, query));
    if (query.format === "openai-jsonl") {
      const { content, lines, skipped } = toOpenAIJsonl(items, query.system, t.trainingExample);
      return { format: query.format, trigger: t.name, content, lines, skipped, nextCursor };
    }
    const scoreNames = Object.keys(t.scores);
    const content = query.format === "csv" ? (query.cursor ? "" : labelCsvHeader(scoreNames)) + labelCsvRows(items, scoreNames) : labelJsonl(items);
    return { format: query.format, trigger: t.name, content, lines: items.length, skipped: 0, nextCursor };
  }

  /** One inference with its input and labels. */
  async inference(id: string): Promise<InferenceWithDetails> {
    const provider = this.db.provider;
    const [item] = await this.db.read(function* () {
      const row = yield* selectFirst(storage.selectFrom("Inference").selectAll().where("id", "=", id));
      return row ? yield* withDetails(provider, [row]) : [];
    });
    if (!item) throw new NotFoundError(`no inference ${id}`);
    return item;
  }

  /** Fit runs newest first (keyset pages), filtered by trigger, status or dead letters. */
  fitRuns(filter: FitRunFilter): Promise<{ items: FitRunSummary[]; nextCursor: string | null }> {
    if (filter.trigger !== undefined) this.trigger(filter.trigger);
    return this.db.read(() => listFitRuns(filter));
  }

  /**
   * A page of a relation's rows, newest first (keyset on the id), filtered on top-level fields
   * and a time range. A filtered page may scan many rows to fill itself: then a long read.
   */
  rows(query: RowQuery & { cursor?: string | null; limit: number }): Promise<Page<RowItem>> {
    this.relation(query.relation);
    const provider = this.db.provider;
    return query.filter?.length ? this.db.readLong(() => listRows(provider, query)) : this.db.read(() => listRows(provider, query));
  }

  /** How many rows match (a long read). */
  countRows(query: RowQuery): Promise<number> {
    this.relation(query.relation);
    const provider = this.db.provider;
    return this.db.readLong(() => countRows(provider, query));
  }

  /** One row with the inferences made on it and their labels. */
  async row(id: string): Promise<RowDetail> {
    const provider = this.db.provider;
    const row = await this.db.read(() => readRowDetail(provider, id));
    if (!row) throw new NotFoundError(`no row ${id}`);
    return row;
  }

  /**
   * The trigger-wide review queue: the oldest inference in label state `filter` (and
   * `version`, not in `exclude`) locked for `holder` for `lockMs`, with its input and labels;
   * null when none is left. The holder's live item comes back first (a reload gets the same).
   */
  async reviewNext(input: { trigger: string; filter: ReviewFilter; version?: number; exclude: readonly string[]; holder: string; holderName: string; lockMs: number }): Promise<{ inference: InferenceWithDetails; lockExpiresAt: Date } | null> {
    this.trigger(input.trigger);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + input.lockMs);
    const provider = this.db.provider;
    const item = await this.db.tx(function* () {
      const row = yield* claimReviewItem({ ...input, now, expiresAt });
      return row ? (yield* withDetails(provider, [row]))[0] : undefined;
    });
    return item ? { inference: item, lockExpiresAt: expiresAt } : null;
  }

  /** Gives an item back to the review queue (only the holder's own lock); whether it held one. */
  async releaseReview(inferenceId: string, holder: string): Promise<boolean> {
    return (await this.db.tx(() => releaseOwnLock(inferenceId, holder))) > 0;
  }

  /** Labels per labeler and label, the total and labeled count, and live locks per holder: a long read. */
  reviewProgress(trigger: string): Promise<{ counts: LabelCounts; locked: { holderName: string; n: number }[] }> {
    this.trigger(trigger);
    const now = new Date();
    return this.db.readLong(function* () {
      return { counts: yield* readLabelCounts(trigger), locked: yield* readLiveLocks(trigger, now) };
    });
  }

  /** A trigger's state versions newest first, with fit, aliases and schema (see read-model/state-versions.ts). */
  stateVersions(trigger: string, query: { cursor?: number | null; limit: number }): Promise<{ items: StateVersionItem[]; nextCursor: number | null }> {
    this.trigger(trigger);
    return this.db.read(() => listStateVersions(trigger, query));
  }

  /** One version's metadata and a preview of each value; NotFoundError for an unknown version. */
  async stateVersion(trigger: string, version: number): Promise<StateVersionDetail> {
    this.trigger(trigger);
    const provider = this.db.provider;
    const found = await this.db.read(() => readStateVersionDetail(trigger, version, provider));
    if (!found) throw new NotFoundError(`trigger ${trigger} has no state version ${version}`);
    return found;
  }

  /** The stored bytes of one key of a version or alias (see read-model/state-value.ts). */
  stateValue(trigger: string, at: number | "active" | "latest", key: string): Promise<StateValueRead> {
    this.trigger(trigger);
    return this.db.read(() => readStateValue(trigger, at, key));
  }

  /** Moves of a trigger's aliases, newest first (see read-model/alias-events.ts). */
  aliasEvents(filter: AliasEventFilter): Promise<Page<AliasEventRecord>> {
    this.trigger(filter.trigger);
    return this.db.read(() => listAliasEvents(filter));
  }

  /** Whether the database holds any row yet. */
  hasRows(): Promise<boolean> {
    return this.db.read(() => readHasRows());
  }

  /** Stored rows per relation (kept counts: RelationRowCount). */
  async rowCounts(relations: readonly string[]): Promise<Map<string, number>> {
    for (const r of relations) this.relation(r);
    return this.db.read(() => readRelationRows(relations));
  }

  /** Labels newest first with the output each judges; filters by label or actor scan labels, so a long read. */
  feedbackList(filter: FeedbackFilter): Promise<Page<FeedbackListItem>> {
    if (filter.trigger !== undefined) this.trigger(filter.trigger);
    const provider = this.db.provider;
    return this.db.readLong(() => listFeedback(provider, filter));
  }

  /** The audit log newest first: rollbacks, retries, params, role changes, users and keys, purges. */
  auditEvents(filter: AuditFilter): Promise<Page<AuditEvent>> {
    return this.db.read(() => listAuditEvents(filter));
  }

  /** Whether the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await this.db.read(() => ping());
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Per trigger (in the order given): aliases, rows waiting, the newest fit run, runs queued in
   * the last `windowMinutes` by status and the newest `latencySample` infer latencies. A long
   * read (off the event loop on SQLite): the console polls it.
   */
  triggerStats(triggers: readonly string[], window: { windowMinutes: number; latencySample: number }): Promise<TriggerStats[]> {
    for (const t of triggers) this.trigger(t);
    const now = new Date();
    const scheduled = scheduledRouteKeys(this.app);
    return this.db.readLong(() => readTriggerStats(triggers, { ...window, now, scheduled }));
  }

  /**
   * Backlog growth of a trigger's fit routes: over the `windowMinutes` (≤ 7 days) before `to`
   * (default now), in `bucketMinutes` buckets (≤ 500 of them), the backlog at each bucket's end
   * and the rows added, fitted and shed within it, from the backlog samples; with each route's
   * current backlog and backpressure bound. Reads at most one sample per route and minute.
   */
  async backlogSeries(trigger: string, window: { windowMinutes: number; bucketMinutes: number; to?: Date }): Promise<BacklogSeries> {
    const t = this.trigger(trigger);
    const issue = (path: string, message: string) => new ValidationError("backlog window", [{ index: 0, path: [path], message, code: "invalid_type" }]);
    if (!Number.isInteger(window.windowMinutes) || window.windowMinutes < 1 || window.windowMinutes > BACKLOG_MAX_WINDOW_MINUTES) throw issue("windowMinutes", `windowMinutes must be an integer in 1..${BACKLOG_MAX_WINDOW_MINUTES}`);
    if (!Number.isInteger(window.bucketMinutes) || window.bucketMinutes < 1 || window.bucketMinutes > window.windowMinutes) throw issue("bucketMinutes", "bucketMinutes must be an integer in 1..windowMinutes");
    if (Math.ceil(window.windowMinutes / window.bucketMinutes) > BACKLOG_MAX_BUCKETS) throw issue("bucketMinutes", `at most ${BACKLOG_MAX_BUCKETS} buckets: widen bucketMinutes`);
    const routes = t.routes.filter((r) => r.fit).map((r) => ({
      route: r.name, relation: r.relation.name, maxPending: r.backpressure?.maxPending ?? null, onFull: r.backpressure?.onFull ?? null, scheduled: r.schedule !== null,
    }));
    return this.db.readLong(() => readBacklogSeries(t.name, routes, { to: window.to ?? new Date(), windowMinutes: window.windowMinutes, bucketMinutes: window.bucketMinutes }));
  }

  /** Samples every fit route's backlog now (fit processes do it every minute; tests and seeds call it). */
  sampleBacklog(now?: Date): Promise<BacklogSampleRow[]> {
    return this.backlogSampler.sample(now);
  }

  /** One fit run with its rows, params, logs, every failed attempt and operators' retries. */
  async fitRun(id: string): Promise<FitRunDetail> {
    const run = await this.db.read(() => readFitRunDetail(id));
    if (!run) throw new NotFoundError(`no fit run ${id}`);
    return run;
  }

  /** Re-queues a dead-lettered fit run with fresh attempts. */
  async retryFit(runId: string, options: { actor: string; reason?: string }): Promise<void> {
    const existing = await this.db.read(() => readFitRun(runId));
    if (!existing) throw new NotFoundError(`no fit run ${runId}`);
    const now = new Date();
    const ok = await this.db.tx(function* () {
      const changed = yield* requeueDead(runId);
      if (changed) {
        yield* recordAudit({ actor: options.actor, action: "fits.retry", target: runId, reason: options.reason, data: { trigger: existing.trigger }, at: now });
      }
      return changed;
    });
    if (!ok) throw new ConflictError(`fit run ${runId} is ${existing.status}; only dead-lettered (failed) runs can be retried`);
    this.scheduler?.kick(existing.trigger);
  }

  /**
   * Calls `listener(trigger)` when a trigger's state may have changed: a version committed or
   * `active` moved, here or (PostgreSQL: NOTIFY; SQLite: the view sync, for `active`) in
   * another process. A hint to re-read, not a record: see the API's subscriptions. Returns an
   * unsubscribe.
   */
  onStateChange(listener: StateChangeListener): () => void {
    return this.stateEvents.on(listener);
  }

  /** Moves of the trigger's `active` / `latest` after alias-history id `after` ("" for all), oldest first, at most `limit`. */
  aliasMoves(trigger: string, after: string, limit: number): Promise<AliasMove[]> {
    this.trigger(trigger);
    return this.db.read(() => readAliasMovesAfter(trigger, after, limit));
  }

  /** What the fits of every process are doing, from the database; `idle` when nothing runs or waits to run. */
  fitActivity(): Promise<FitActivity> {
    return fitActivity(this.db, this.app);
  }

  /**
   * Inferences (count, errors, latency p50/p99) per trigger and bucket of `bucketMinutes`, from
   * the per-minute rollups, and the fit runs finished in [from, to). Runs as a long read (off
   * the main thread on SQLite): the console polls it while rows are being added.
   */
  activity(window: { from: Date; to: Date; bucketMinutes: number; maxFits?: number }): Promise<Activity> {
    const provider = this.db.provider;
    const triggers = this.app.triggers.map((t) => t.name);
    return this.db.readLong(() => readActivity(provider, { ...window, triggers }));
  }

  /** Runs `fn` when Motion closes, before the database does (e.g. an API's own subscriptions). */
  onClose(fn: () => Promise<void> | void): void {
    if (this.closed) void Promise.resolve(fn()).catch(() => undefined);
    else this.closers.push(fn);
  }

  /** Waits until every pending fit has committed or failed for good. */
  async flush(): Promise<void> {
    if (!this.scheduler) throw new Error("this process does not run fits (runFits: false)");
    await this.scheduler.flush();
  }

  /**
   * Stops scheduling and lets running fits finish for up to closeTimeoutMs; fits still running
   * then are stopped and their runs go back to the queue (no attempt spent). Closes the
   * database if Motion opened it.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ruleTimer) clearInterval(this.ruleTimer);
    await this.ruleRound;
    await this.queues.settle();
    await this.sync.close();
    await this.shadowQueue.close();
    await this.driftMonitor.close();
    await this.retentionService.close();
    await this.scheduleService.close();
    this.backlogSampler.close();
    const stopping = this.scheduler?.close() ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([stopping.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, this.closeTimeoutMs, false)))]);
    clearTimeout(timer);
    if (!inTime) this.log.warn({ closeTimeoutMs: this.closeTimeoutMs }, "fits still running at close; stopping them");
    await this.executor?.close();
    await stopping;
    await this.unlisten?.();
    for (const closer of this.closers.splice(0)) await Promise.resolve(closer()).catch((error: unknown) => this.log.error({ err: (error as Error)?.message }, "close hook failed"));
    await this.refreshing;
    this.stateEvents.clear();
    if (this.ownsDb) await this.db.close();
  }
}

function experimentMarker(candidate: number | null, settingsAt: number | null): string {
  return `${candidate ?? "-"}:${settingsAt ?? "-"}`;
}

export interface VariantView {
  name: string;
  /** The params this variant overrides. */
  overrides: Record<string, unknown>;
  /** Effective params and their hash (null when the current params schema rejects them). */
  params: unknown;
  hash: string | null;
  weight: number;
}

export interface VariantsView {
  trigger: string;
  source: "declared" | "runtime";
  default: { name: "default"; params: unknown; hash: string; weight: number };
  variants: VariantView[];
}

export interface ExperimentView {
  trigger: string;
  active: number;
  pinned: boolean;
  candidate: number | null;
  shadow: { share: number };
  canary: { share: number };
  rule: ExperimentSettings["rule"];
  /** "runtime" when an admin set the settings (they replace the declared ones), else "declared". */
  source: "declared" | "runtime";
}

export interface PromotionEvaluation {
  trigger: string;
  active: number;
  candidate: number | null;
  /** Where the label counts came from: the candidate's own (canary) labels, or shadow pairs. */
  basis: "canary" | "shadow" | null;
  decision: RuleDecision;
  applied: boolean;
}

export type LabelExportFormat = "openai-jsonl" | "jsonl" | "csv";

export interface LabelExport {
  format: LabelExportFormat;
  trigger: string;
  /** This page's part of the file: concatenate the pages' contents (CSV: the header comes with the first page). */
  content: string;
  /** Lines of content (examples, records or CSV rows; CSV's header not counted). */
  lines: number;
  /** Labeled inferences the training mapping left out (openai-jsonl only). */
  skipped: number;
  nextCursor: string | null;
}

export interface RollbackOptions {
  actor: string;
  reason?: string;
  pin?: boolean;
  /**
   * Re-fit the labels the left-behind versions had learned: the `feedback` rows fitted into
   * the versions between the old active and the common ancestor go back to the trigger's
   * pending rows, so its feedback routes fit them again on top of the new active version
   * (after unpin, when pinned). Recorded in the audit entry with the count.
   */
  refitLabels?: boolean;
}

/** Most versions one outcomes call reads. */
export const MAX_OUTCOME_VERSIONS = 200;
/** Most versions one `evaluate` call reads the labels of. */
export const MAX_EVALUATE_VERSIONS = 20;

/** Re-queues the feedback rows fitted on `from`'s side of its common ancestor with `to`. */
function* requeueLabels(trigger: Trigger, from: number, to: number, now: Date): Query<number> {
  const path = yield* versionPath(trigger.name, from, to);
  const fits = (yield* fitsOf(trigger.name, path.dropped, true)).filter((f) => f.relation === feedbackRelation.name);
  const fitted = new Set(trigger.routes.filter((r) => r.fit && r.relation.name === feedbackRelation.name).map((r) => r.name));
  let requeued = 0;
  const byRoute = new Map<string, Set<string>>();
  for (const f of fits) {
    if (!fitted.has(f.route)) continue;
    const ids = byRoute.get(f.route) ?? new Set<string>();
    for (const id of f.rowIds) ids.add(id);
    byRoute.set(f.route, ids);
  }
  for (const [route, ids] of byRoute) {
    const list = [...ids].sort();
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500);
      const rows = storage.selectFrom("Row")
        .select((eb) => [eb.val(trigger.name).as("trigger"), eb.val(route).as("route"), "id as rowId", "partition", eb.val(false).as("held"), sql.lit("rollback").as("reason"), eb.val(now).as("createdAt")])
        .where("id", "in", chunk);
      requeued += yield* execute(
        storage.insertInto("PendingRow").columns(["trigger", "route", "rowId", "partition", "held", "reason", "createdAt"]).expression(rows).onConflict((oc) => oc.columns(["trigger", "route", "rowId"]).doNothing()),
      );
    }
  }
  return requeued;
}

// The label path (Motion.feedback / score) runs these for every label: compiled once.
const LABELED_INFERENCE = prepare((id: string) =>
  storage.selectFrom("Inference").select(["id", "trigger", "route", "output", "rowId", "stateVersion", "paramsHash", "createdAt"]).where("id", "=", id),
);
const INFERENCE_TRIGGER = prepare((id: string) => storage.selectFrom("Inference").select("trigger").where("id", "=", id));
const ROW_DATA = prepare((id: string) => storage.selectFrom("Row").select("data").where("id", "=", id));
// Labels of one inference serialise on its row (PostgreSQL).
const LOCK_INFERENCE = prepare((id: string) => storage.selectFrom("Inference").select("id").where("id", "=", id).forUpdate());
const LATEST_LABEL = prepare((inferenceId: string) =>
  storage.selectFrom("Feedback").select(["id", "label", sql<number>`CASE WHEN ${sql.ref("correction")} IS NULL THEN 0 ELSE 1 END`.as("corrected")])
    .where("inferenceId", "=", inferenceId).orderBy("id", "desc").limit(1),
);
const INSERT_LABEL = prepare(
  (id: string, inferenceId: string, rowId: string, trigger: string, label: string, correction: string | null, note: string | null, actor: string, createdAt: Date) =>
    storage.insertInto("Feedback").values({ id, inferenceId, rowId, trigger, label, correction, note, actor, createdAt }),
);
const FLAG_LABELED = prepare((id: string) => storage.updateTable("Inference").set({ labeled: true }).where("id", "=", id).where("labeled", "=", false));

export function createMotion(options: MotionOptions): Promise<Motion> {
  return Motion.open(options);
}
