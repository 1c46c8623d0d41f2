import { z } from "zod";
import { ValidationError } from "./errors.ts";
import { defaultTrainingExample, type TrainingExampleFn } from "./training-example.ts";
import type { EvaluateFn } from "./outcomes/evaluation.ts";
import { assertName, feedback, type FeedbackRow, type Relation, type StoredRow } from "./relation.ts";
import type { State, StatePatch } from "./state.ts";
import type { Logger } from "./logger.ts";
import { resolveSchedule, type ResolvedSchedule, type Schedule } from "./schedule.ts";
import type { ExperimentSettings } from "./experiments/experiment-settings.ts";
import type { PromotionRule } from "./experiments/promotion-rule.ts";
import { declaredVariants } from "./experiments/params-variants.ts";
import { checkScoreConfigs, type ScoreConfigs } from "./review-queue/score-config.ts";

export interface InferContext<Row, P> {
  /** The active state version, deeply frozen: a write throws. */
  state: Readonly<State>;
  row: StoredRow<Row>;
  params: P;
  version: number;
  trigger: string;
  log: Logger;
}

export interface InferenceSummary {
  id: string;
  rowId: string;
  output: unknown;
  stateVersion: number;
}

export interface FitContext<Row, P> {
  /** The version this fit builds on (a copy: mutating it changes nothing). */
  state: Readonly<State>;
  rows: StoredRow<Row>[];
  params: P;
  /** What this trigger's infer returned for these rows, by row id. */
  inferences: Record<string, InferenceSummary>;
  version: number;
  trigger: string;
  /**
   * Why this fit runs beyond new rows: "drift" for a refit over recent valid partitions,
   * "schedule" for a tick of the route's `schedule` (rows: those since the last run, maybe none).
   */
  reason: FitReason;
  /** Record metrics on this fit run (shown in fit history). */
  report(metrics: Record<string, number>): void;
  log: Logger;
}

export type FitReason = "drift" | "schedule" | null;

export interface Route<R extends Relation = Relation, P = unknown> {
  /** Defaults to the relation name; unique within the trigger. */
  name?: string;
  relation: R;
  infer?: (ctx: InferContext<z.output<R["schema"]>, P>) => unknown;
  fit?: (ctx: FitContext<z.output<R["schema"]>, P>) => StatePatch | void | Promise<StatePatch | void>;
  /**
   * Only rows for which this returns true reach the route. Routes on the built-in `feedback`
   * relation default to labels of this trigger's own inferences.
   */
  filter?: (row: z.output<R["schema"]>) => boolean;
  /** Rows per fit batch (default: the trigger's, else 1). */
  batchSize?: number;
  /** A partial batch is fitted after waiting this long (default: the trigger's, else 1000). */
  maxWaitMs?: number;
  /**
   * Longest a fit of this route may run (default: the trigger's, else 10 minutes). Past it the
   * worker thread is terminated and the run counts a failed attempt (retried, then dead-lettered).
   */
  maxDurationMs?: number;
  /**
   * What a drift flag on the relation's partitions does to this route's fits.
   * notify (default): nothing but the flag. hold: rows are fitted only once their partition is
   * closed and judged, and a flagged partition's rows wait until an operator releases (fit)
   * or drops (never fit) it. refit: when a partition is flagged or released, the route's fit
   * runs again over the rows of the most recent valid partitions (`ctx.reason === "drift"`).
   */
  onDrift?: OnDrift;
  /** How many recent valid partitions a drift refit reads (default 7). */
  refitWindow?: number;
  /** Bound on rows waiting for this route's fit, or `false` for none (see Backpressure). */
  backpressure?: Backpressure | false;
  /**
   * Fit on a schedule instead of per batch: at each cron tick the fit runs once with the rows
   * that arrived since the last scheduled run (an empty `rows` on a quiet tick). The route's
   * rows are not fitted in batches; to fit per batch as well, declare a second route on the
   * same relation without a schedule. Needs a fit. See docs/engine-api.md, Scheduled triggers.
   */
  schedule?: Schedule;
}

/** Default fit time limit: 10 minutes. */
export const DEFAULT_MAX_DURATION_MS = 600_000;
/** setTimeout's largest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type OnDrift = "notify" | "hold" | "refit";

/**
 * What `add` does when a fit route already has `maxPending` rows waiting: `wait` (up to
 * `maxWaitMs`, then reject), `reject` at once (BackpressureError; TOO_MANY_REQUESTS in the API),
 * or `shed`: accept, and take the oldest waiting rows out of fitting (rows kept, recorded as a
 * `skipped` fit run). Default for fit routes: `{ maxPending: 100_000, onFull: "wait", maxWaitMs: 10_000 }`.
 */
export interface Backpressure {
  maxPending: number;
  onFull?: "wait" | "reject" | "shed";
  maxWaitMs?: number;
}

export const DEFAULT_BACKPRESSURE: Required<Backpressure> = { maxPending: 100_000, onFull: "wait", maxWaitMs: 10_000 };

export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface TriggerOptions<PS extends z.ZodType> {
  params?: PS;
  setUp?: (ctx: { params: z.output<PS>; log: Logger }) => State | Promise<State>;
  routes: Route<any, z.output<PS>>[];
  batchSize?: number;
  maxWaitMs?: number;
  /** Default maxDurationMs of the trigger's routes (10 minutes). */
  maxDurationMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Cache infer outputs for identical inputs on the same version and params (default true). */
  cache?: boolean;
  /**
   * What a correction of this trigger's outputs must look like. `Motion.feedback` rejects a
   * correction that does not match (ValidationError, nothing written) and stores the parsed
   * value; `correctionJsonSchema` publishes it for forms. Without it any JSON is accepted.
   */
  correction?: z.ZodType;
  /**
   * How one labeled inference becomes a fine-tuning example (OpenAI chat messages), or null to
   * leave it out. Default: user = the input's text, assistant = the good output or the
   * correction; bad labels without a correction are left out.
   */
  trainingExample?: TrainingExampleFn;
  /**
   * The app's own metrics of a version, from the labels on the outputs it served (e.g. hit@k
   * of the page operators named): finite numbers by name. Shown per version next to Motion's
   * outcomes (`motion.evaluate`, the console's Compare view).
   */
  evaluate?: EvaluateFn;
  /**
   * Shadow: this share of rows served by `active` is inferred again on the `candidate` version
   * after the caller has its answer; the output is stored as a shadow inference only.
   * Default share 0. An admin's runtime setting (`motion.setExperiment`) replaces it.
   */
  shadow?: { share: number };
  /** Canary: this share of routing keys is served by the `candidate` version. Default 0. */
  canary?: { share: number };
  /** Guarded promotion: promote or abort the candidate by itself (see experiments/promotion-rule.ts). */
  promotion?: { rule: PromotionRule };
  /**
   * Named params variants: `{ wide: { params: { k: 20 }, weight: 0.1 } }`. A variant's params
   * are merged over the trigger's params (validated by `params` at start); `weight` is the share
   * of routing keys it serves (default 0: only rows that name it). Variants share this trigger's
   * state; see experiments/params-variants.ts. An admin's runtime variants replace these.
   */
  variants?: Record<string, { params?: Partial<z.input<PS>> & Record<string, unknown>; weight?: number }>;
  /**
   * Scores labelers give besides good/bad, by name: `{ kind: "numeric", min, max }`,
   * `{ kind: "categorical", values }` or `{ kind: "text" }`. `Motion.score` checks every value
   * against its config (ValidationError at ["scores", name]); label exports carry them.
   */
  scores?: ScoreConfigs;
  /**
   * State garbage collection: versions beyond the `keepVersions` newest (and not pointed at by
   * any alias) keep their manifest but lose the blobs no kept version shares. See state-gc.ts.
   */
  retention?: StateRetention;
  /**
   * The shape version of this trigger's state (a positive integer, default 1). Raise it when a
   * deploy changes the shape (a key renamed, an index format changed) and declare how to get
   * there in `migrations`. Every state version records the schema it is in.
   */
  stateSchema?: number;
  /**
   * How state of an older schema becomes the current one: `{ from, to, migrate }` steps that
   * chain without gaps up to `stateSchema`. Opening Motion migrates `active` and `latest` into
   * new versions (old versions are never edited); see README, State migrations.
   */
  migrations?: StateMigration[];
}

/** One step of a trigger's state migrations: state of schema `from` → state of schema `to`. */
export interface StateMigration {
  from: number;
  to: number;
  /** Returns the whole new state (a key left out is dropped); may be async. Must not mutate its input. */
  migrate: (state: Readonly<State>, ctx: MigrationContext) => State | Promise<State>;
}

export interface MigrationContext {
  trigger: string;
  /** The version being migrated (not changed: the result becomes a new version). */
  version: number;
  from: number;
  to: number;
  log: Logger;
}

/** A trigger's `retention`: how many newest state versions keep their values. */
export interface StateRetention {
  keepVersions: number;
}

export interface ResolvedRoute {
  name: string;
  relation: Relation;
  filter?: (row: any) => boolean;
  infer?: Route["infer"];
  fit?: Route["fit"];
  batchSize: number;
  maxWaitMs: number;
  maxDurationMs: number;
  onDrift: OnDrift;
  refitWindow: number;
  /** Null for routes without a fit or with `backpressure: false`. */
  backpressure: Required<Backpressure> | null;
  /** Null unless the route fits on a schedule (then it never fits per batch). */
  schedule: ResolvedSchedule | null;
}

export interface Trigger<PS extends z.ZodType = z.ZodType> {
  readonly kind: "trigger";
  readonly name: string;
  readonly params: PS;
  readonly setUp: (ctx: { params: z.output<PS>; log: Logger }) => State | Promise<State>;
  readonly routes: ResolvedRoute[];
  readonly retry: RetryPolicy;
  readonly cache: boolean;
  /** The declared correction schema, or null (any correction accepted). */
  readonly correction: z.ZodType | null;
  /** Labeled inference → fine-tuning example (the default mapping when not declared). */
  readonly trainingExample: TrainingExampleFn;
  /** The app's metrics of a version from its labeled outputs, or null when not declared. */
  readonly evaluate: EvaluateFn | null;
  /** Declared shadow/canary shares and promotion rule (zeros and null when not declared). */
  readonly experiment: ExperimentSettings;
  /** Declared score configs by name ({} when none). */
  readonly scores: ScoreConfigs;
  /** Newest versions whose values are kept (state GC), or null: every version kept. */
  readonly keepVersions: number | null;
  /** The current state schema version (1 when not declared). */
  readonly stateSchema: number;
  /** Declared migration steps, ordered by `from` ([] when none). */
  readonly migrations: readonly StateMigration[];
}

/** Helper for typing a route against its relation and the trigger's params. */
export function route<R extends Relation, P = any>(r: Route<R, P>): Route<R, P> {
  return r;
}

export function trigger<PS extends z.ZodType = z.ZodObject<Record<string, never>>>(name: string, options: TriggerOptions<PS>): Trigger<PS> {
  assertName("trigger", name);
  if (!options.routes?.length) throw new TypeError(`trigger ${name} needs at least one route`);
  const seen = new Set<string>();
  const routes = options.routes.map((r): ResolvedRoute => {
    const routeName = r.name ?? r.relation.name;
    assertName("route", routeName);
    if (seen.has(routeName)) throw new TypeError(`trigger ${name} has two routes named ${routeName}`);
    seen.add(routeName);
    if (!r.infer && !r.fit) throw new TypeError(`route ${name}/${routeName} needs infer, fit or both`);
    const batchSize = r.batchSize ?? options.batchSize ?? 1;
    const maxWaitMs = r.maxWaitMs ?? options.maxWaitMs ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError(`route ${name}/${routeName}: batchSize must be a positive integer`);
    const maxDurationMs = r.maxDurationMs ?? options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
    if (!Number.isInteger(maxDurationMs) || maxDurationMs < 1 || maxDurationMs > MAX_TIMER_MS) {
      throw new TypeError(`route ${name}/${routeName}: maxDurationMs must be a positive integer of milliseconds up to ${MAX_TIMER_MS}`);
    }
    const filter = r.filter ?? (r.relation.name === feedback.name ? (row: FeedbackRow) => row.trigger === name : undefined);
    const onDrift = r.onDrift ?? "notify";
    if (!["notify", "hold", "refit"].includes(onDrift)) throw new TypeError(`route ${name}/${routeName}: onDrift must be "notify", "hold" or "refit"`);
    if (onDrift !== "notify" && !r.fit) throw new TypeError(`route ${name}/${routeName}: onDrift "${onDrift}" needs a fit`);
    const refitWindow = r.refitWindow ?? 7;
    if (!Number.isInteger(refitWindow) || refitWindow < 1) throw new TypeError(`route ${name}/${routeName}: refitWindow must be a positive integer`);
    const backpressure = r.fit && r.backpressure !== false ? { ...DEFAULT_BACKPRESSURE, ...r.backpressure } : null;
    if (backpressure) {
      if (!Number.isInteger(backpressure.maxPending) || backpressure.maxPending < 1) throw new TypeError(`route ${name}/${routeName}: backpressure.maxPending must be a positive integer`);
      if (!["wait", "reject", "shed"].includes(backpressure.onFull)) throw new TypeError(`route ${name}/${routeName}: backpressure.onFull must be "wait", "reject" or "shed"`);
      if (!Number.isFinite(backpressure.maxWaitMs) || backpressure.maxWaitMs < 0) throw new TypeError(`route ${name}/${routeName}: backpressure.maxWaitMs must be a number ≥ 0`);
    }
    const schedule = r.schedule === undefined ? null : resolveSchedule(`route ${name}/${routeName}`, r.schedule);
    if (schedule && !r.fit) throw new ValidationError(`route ${name}/${routeName}`, [{ index: -1, path: ["schedule"], message: "a scheduled route needs a fit", code: "invalid_schedule" }]);
    return { name: routeName, relation: r.relation, filter, infer: r.infer as ResolvedRoute["infer"], fit: r.fit as ResolvedRoute["fit"], batchSize, maxWaitMs, maxDurationMs, onDrift, refitWindow, backpressure, schedule };
  });
  const experiment: ExperimentSettings = {
    shadowShare: options.shadow?.share ?? 0, canaryShare: options.canary?.share ?? 0, rule: options.promotion?.rule ?? null,
    variants: declaredVariants(name, options.variants as Record<string, { params?: Record<string, unknown>; weight?: number }> | undefined),
  };
  for (const [what, value] of [["shadow.share", experiment.shadowShare], ["canary.share", experiment.canaryShare]] as const) {
    if (!(typeof value === "number" && value >= 0 && value <= 1)) throw new TypeError(`trigger ${name}: ${what} must be a number in 0..1`);
  }
  const rule = experiment.rule;
  if (rule && !(rule.name && Number.isInteger(rule.minLabels) && rule.minLabels >= 1 && rule.confidence > 0.5 && rule.confidence < 1)) {
    throw new TypeError(`trigger ${name}: promotion.rule needs a name, minLabels ≥ 1 and a confidence in (0.5, 1)`);
  }
  const scores = checkScoreConfigs(name, options.scores);
  return {
    kind: "trigger",
    name,
    scores,
    params: (options.params ?? z.object({})) as PS,
    setUp: options.setUp ?? (() => ({})),
    routes,
    retry: { maxAttempts: 3, backoffMs: 1000, maxBackoffMs: 60_000, ...options.retry },
    cache: options.cache ?? true,
    correction: options.correction ?? null,
    trainingExample: options.trainingExample ?? defaultTrainingExample,
    evaluate: resolveEvaluate(name, options.evaluate),
    experiment,
    keepVersions: resolveKeepVersions(name, options.retention),
    ...resolveMigrations(name, options.stateSchema, options.migrations),
  };
}

/**
 * `stateSchema` and `migrations`, checked at declaration: a ValidationError whose path names
 * the bad element (e.g. ["migrations", 1, "to"]) for a non-integer schema, a step that does not
 * go forward, two steps from one schema, a gap, or a chain that does not end at `stateSchema`.
 */
function resolveMigrations(name: string, stateSchema: unknown, migrations: unknown): { stateSchema: number; migrations: StateMigration[] } {
  const fail = (path: (string | number)[], message: string): never => {
    throw new ValidationError(`trigger ${name}`, [{ index: -1, path, message, code: "invalid_migration" }]);
  };
  const current = stateSchema ?? 1;
  if (!Number.isInteger(current) || (current as number) < 1) fail(["stateSchema"], "stateSchema must be a positive integer");
  const schema = current as number;
  if (migrations === undefined) return { stateSchema: schema, migrations: [] };
  if (!Array.isArray(migrations)) return fail(["migrations"], "migrations must be an array of { from, to, migrate }");
  const list = migrations as StateMigration[];
  const seenFrom = new Map<number, number>();
  list.forEach((m, i) => {
    if (!m || typeof m !== "object") fail(["migrations", i], "a migration is { from, to, migrate }");
    if (!Number.isInteger(m.from) || m.from < 1) fail(["migrations", i, "from"], "from must be a positive integer");
    if (!Number.isInteger(m.to) || m.to < 1) fail(["migrations", i, "to"], "to must be a positive integer");
    if (m.to <= m.from) fail(["migrations", i, "to"], `to (${m.to}) must be greater than from (${m.from})`);
    if (m.to > schema) fail(["migrations", i, "to"], `to (${m.to}) is beyond stateSchema (${schema})`);
    if (typeof m.migrate !== "function") fail(["migrations", i, "migrate"], "migrate must be a function of the state");
    if (seenFrom.has(m.from)) fail(["migrations", i, "from"], `two migrations from schema ${m.from} (also migrations[${seenFrom.get(m.from)}])`);
    seenFrom.set(m.from, i);
  });
  const ordered = list.map((m, i) => ({ m, i })).sort((a, b) => a.m.from - b.m.from);
  for (let k = 1; k < ordered.length; k++) {
    const prev = ordered[k - 1]!;
    const next = ordered[k]!;
    if (next.m.from !== prev.m.to) fail(["migrations", next.i, "from"], `gap in the chain: migrations[${prev.i}] ends at schema ${prev.m.to} but the next step starts at ${next.m.from}`);
  }
  const last = ordered[ordered.length - 1];
  if (last && last.m.to !== schema) fail(["migrations", last.i, "to"], `the chain ends at schema ${last.m.to}, not at stateSchema (${schema})`);
  return { stateSchema: schema, migrations: ordered.map((o) => o.m) };
}

function resolveKeepVersions(name: string, retention: StateRetention | undefined): number | null {
  if (retention === undefined) return null;
  const n = retention?.keepVersions;
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(`trigger ${name}: retention.keepVersions must be a positive integer`);
  }
  return n;
}

function resolveEvaluate(name: string, evaluate: unknown): EvaluateFn | null {
  if (evaluate === undefined) return null;
  if (typeof evaluate !== "function") throw new TypeError(`trigger ${name}: evaluate must be a function of the labeled examples`);
  return evaluate as EvaluateFn;
}
