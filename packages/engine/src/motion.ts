import { createHash } from "node:crypto";
import { z } from "zod";
import {
  all, decodeJson, get, insertIngest, newId, openDatabase, run,
  type Database, type InferenceInsert, type PendingInsert, type ProfileInsert, type RowInsert,
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
import { validateCorrection } from "./correction.ts";
import { InferenceCache } from "./inference-cache.ts";
import { encodePatch, insertBlobs, insertVersion, moveAlias, readAliases, StateStore, type EncodedPatch, type VersionInfo } from "./state-store.ts";
import { freezeState, type State } from "./state.ts";
import { InlineFitExecutor, ThreadFitExecutor, type FitExecutor } from "./fit-executor.ts";
import { FitRunner, ownerIsDead } from "./fit-runner.ts";
import { EmbeddedFitScheduler, type FitScheduler } from "./fit-scheduler.ts";
import { recoverRuns, requeueDead, readFitRun } from "./fit-store.ts";
import { PARAMS_CHANNEL, TriggerParamsStore } from "./params-store.ts";
import { ViewSync } from "./view-sync.ts";
import { createLogger, type Logger } from "./logger.ts";

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
   */
  drift?: { autoCheck?: boolean; checkIntervalMs?: number };
  /** Max infers running at once within one addMany. */
  inferConcurrency?: number;
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

export interface FeedbackInput {
  label: "good" | "bad";
  correction?: unknown;
  note?: string;
  actor: string;
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
  private readonly active = new Map<string, ActiveState>();
  private readonly params: TriggerParamsStore;
  private readonly sync: ViewSync;
  private readonly executor: FitExecutor | null;
  private readonly scheduler: FitScheduler | null;
  readonly runner: FitRunner;
  private readonly guardBinary: boolean;
  private readonly inferConcurrency: number;
  private unlisten: (() => Promise<void>) | null = null;
  private closed = false;
  private readonly driftMonitor: DriftMonitor;
  private readonly backpressure: BackpressureGate;

  private constructor(app: App, db: Database, ownsDb: boolean, options: MotionOptions) {
    this.app = app;
    this.db = db;
    this.ownsDb = ownsDb;
    this.log = options.log ?? createLogger();
    this.store = new StateStore(db);
    this.params = new TriggerParamsStore(app, db, options.params ?? {}, this.log);
    this.sync = new ViewSync({
      db, app, params: this.params, log: this.log, refresh: (t) => this.refresh(t), activeVersion: (t) => this.active.get(t)?.version,
      intervalMs: options.syncIntervalMs ?? (db.provider === "sqlite" ? 1000 : 5000),
    });
    this.guardBinary = options.guardBinaryState ?? true;
    this.inferConcurrency = options.inferConcurrency ?? 8;
    const runFits = options.runFits ?? true;
    const fitIn = options.fitIn ?? (app.module ? "threads" : "inline");
    if (fitIn === "threads" && !app.module) throw new TypeError(`app ${app.name} has no module URL; set module: import.meta.url or use fitIn: "inline"`);
    this.executor = runFits ? (fitIn === "threads" ? new ThreadFitExecutor() : new InlineFitExecutor(app, this.log)) : null;
    this.runner = new FitRunner({
      db, app, store: this.store, log: this.log,
      executor: this.executor ?? new InlineFitExecutor(app, this.log),
      params: (t) => this.params.forFit(t),
      onCommitted: (t, version, patch, activeMoved) => this.adopt(t, version, patch, activeMoved),
    });
    const ctx = { db, app, runner: this.runner, log: this.log };
    // A custom scheduler (BullMQ) is created even when this process runs no fits itself:
    // API-only processes still have to announce new rows to the workers.
    this.scheduler = options.scheduler ? options.scheduler(ctx) : runFits ? new EmbeddedFitScheduler(db, app, this.runner, this.log) : null;
    this.backpressure = new BackpressureGate(db, this.log);
    this.driftMonitor = new DriftMonitor({
      db, app, log: this.log, kick: (t) => this.scheduler?.kick(t), autoCheck: options.drift?.autoCheck ?? runFits, intervalMs: options.drift?.checkIntervalMs,
    });
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
    for (const t of this.app.triggers) await this.ensureInitial(t);
    for (const t of this.app.triggers) await this.refresh(t.name);
    if (this.scheduler) {
      const recovered = await this.db.tx(() => recoverRuns(new Date(), ownerIsDead));
      if (recovered) this.log.warn({ recovered }, "re-queued fit runs left running by a stopped process");
      this.scheduler.notify(this.app.triggers.filter((t) => t.routes.some((r) => r.fit)).map((t) => t.name));
    }
    if (this.db.listen) {
      this.unlisten = await this.db.listen(
        ["motion_state", PARAMS_CHANNEL],
        (trigger, channel) => {
          if (!this.app.trigger(trigger)) return;
          const reload = channel === PARAMS_CHANNEL ? this.params.reload(trigger) : this.refresh(trigger);
          void reload.catch((error) => this.log.error({ err: (error as Error).message, channel }, "reload after a notification failed"));
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
    try {
      await this.db.tx(function* () {
        if (yield* readAliases(t.name)) return;
        yield* insertBlobs(patch, now);
        yield* insertVersion({ trigger: t.name, version: 0, parent: null, fitRunId: null, manifest, createdAt: now });
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
    if (current?.version === aliases.active) return;
    const { state } = await this.store.load(trigger, aliases.active);
    this.active.set(trigger, { version: aliases.active, view: freezeState(state, this.guardBinary) });
  }

  /** A fit committed here: serve the new version from the values the fit just produced. */
  private adopt(trigger: string, version: VersionInfo, patch: EncodedPatch, activeMoved: boolean): void {
    this.store.remember(version, patch);
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

  async add<T = unknown>(relation: string | Relation, row: unknown): Promise<AddResult<T>> {
    const [result] = await this.addMany<T>(relation, [row]);
    return result!;
  }

  /**
   * Validates the whole batch first (one bad row rejects it, nothing written), runs every
   * infer bound to the relation on the active state, then writes rows, inferences and
   * pending fit entries in one transaction.
   */
  async addMany<T = unknown>(relation: string | Relation, input: unknown[]): Promise<AddResult<T>[]> {
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
    return this.ingest<T>(rel, parsed, partitions, now);
  }

  private async ingest<T>(rel: Relation, parsed: unknown[], partitions: string[] | string, now: Date): Promise<AddResult<T>[]> {
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
    const pending: PendingInsert[] = [];
    const fitTriggers = new Set<string>();
    // Rows each route takes: all, unless it filters (no array is built in the common case).
    const selections = routes.map(({ route }) => (route.filter ? parsed.flatMap((data, i) => (route.filter!(data) ? [i] : [])) : null));
    // Backpressure is decided before any infer runs or anything is written.
    const sheds: { trigger: string; route: ResolvedRoute; excess: number }[] = [];
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
      const { params, hash: paramsHash } = this.paramsOf(trigger.name);
      const useCache = trigger.cache;
      const version = active.version;
      const record = (i: number, output: unknown, error: string | null, cached: boolean, latencyMs: number, inputHash: string) => {
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
      };
      const failed = (i: number, e: unknown) => {
        const message = (e as Error)?.message ?? String(e);
        this.log.warn({ trigger: trigger.name, route: route.name, row: rowInserts[i]!.id, err: message }, "infer failed");
        return message;
      };
      // Synchronous infers finish in this loop with no promise per row; the first one that
      // returns a promise switches the rest of the batch to bounded concurrency.
      const start = (i: number): Promise<void> | undefined => {
        const insert = rowInserts[i]!;
        const inputHash = useCache ? createHash("sha1").update(insert.data).digest("base64url") : "";
        const cacheKey = useCache ? InferenceCache.key(trigger.name, route.name, inputHash, version, paramsHash) : "";
        const started = performance.now();
        const hit = useCache ? this.cache.get(cacheKey) : undefined;
        if (hit) {
          record(i, hit.output, null, true, performance.now() - started, inputHash);
          return undefined;
        }
        let out: unknown;
        try {
          out = infer({ state: active.view, row: { id: insert.id, key: insert.key, createdAt: now, data: parsed[i] }, params, version, trigger: trigger.name, log: this.log });
        } catch (e) {
          record(i, null, failed(i, e), false, performance.now() - started, inputHash);
          return undefined;
        }
        const done = (value: unknown) => {
          const output = value === undefined ? null : value;
          if (useCache) this.cache.set(cacheKey, output);
          record(i, output, null, false, performance.now() - started, inputHash);
        };
        if (out && typeof (out as Promise<unknown>).then === "function") {
          return (out as Promise<unknown>).then(done, (e) => record(i, null, failed(i, e), false, performance.now() - started, inputHash));
        }
        done(out);
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
    await this.db.tx(() => insertIngest(rowInserts, inferences, pending, profiles));
    for (let r = 0; r < routes.length; r++) {
      const { trigger, route } = routes[r]!;
      if (route.backpressure) this.backpressure.added(trigger.name, route.name, selections[r] ? selections[r]!.length : n);
    }
    for (const s of sheds) await this.backpressure.shed(s.trigger, s.route, s.excess);
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

  /**
   * On SQLite every await in add resolves without I/O, so a caller adding in a tight loop
   * would never let the event loop deliver a finished fit. Yield a turn every few ms.
   */
  private async fairness(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < 4) return;
    this.lastYield = now;
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Labels an inference; the label is also a row of the built-in `feedback` relation. */
  async feedback(inferenceId: string, input: FeedbackInput): Promise<{ id: string; rowId: string }> {
    const parsed = feedbackInput.safeParse(input);
    if (!parsed.success) throw new ValidationError("feedback", ValidationError.fromZod("feedback", 0, parsed.error));
    const inference = await this.db.read(() =>
      get<{ id: string; trigger: string; route: string; output: unknown; rowId: string }>(
        `SELECT "id", "trigger", "route", "output", "rowId" FROM "Inference" WHERE "id" = ?`, [inferenceId],
      ),
    );
    if (!inference) throw new NotFoundError(`no inference ${inferenceId}`);
    const correction = validateCorrection(this.app.trigger(inference.trigger)?.correction ?? null, parsed.data.correction);
    const row = await this.db.read(() => get<{ data: unknown }>(`SELECT "data" FROM "Row" WHERE "id" = ?`, [inference.rowId]));
    const data: FeedbackRow = {
      inferenceId, trigger: inference.trigger, route: inference.route, label: parsed.data.label,
      correction, note: parsed.data.note, actor: parsed.data.actor,
      input: row ? decodeJson(this.db.provider, row.data) : null, output: decodeJson(this.db.provider, inference.output),
    };
    const [stored] = await this.addMany(feedbackRelation, [data]);
    const id = newId();
    await this.db.tx(() =>
      run(
        `INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "correction", "note", "actor", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, inferenceId, stored!.id, data.label, data.correction === undefined ? null : JSON.stringify(data.correction), data.note ?? null, data.actor, new Date()],
      ),
    );
    return { id, rowId: stored!.id };
  }

  /**
   * Re-points `active` at an earlier (or any existing) version of the trigger. Fits continue
   * from it. With `pin`, fits are held until `unpin` so infer stays on this version.
   */
  async rollback(trigger: string, version: number, options: { actor: string; reason?: string; pin?: boolean }): Promise<{ from: number; to: number }> {
    this.trigger(trigger);
    if (!Number.isInteger(version) || version < 0) throw new ValidationError("rollback", [{ index: 0, path: ["version"], message: "version must be a non-negative integer", code: "invalid_type" }]);
    if (!options.actor) throw new ValidationError("rollback", [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const provider = this.db.provider;
    const now = new Date();
    const moved = await this.db.tx(function* () {
      const aliases = yield* readAliases(trigger, provider);
      if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
      const exists = yield* get(`SELECT "version" FROM "StateVersion" WHERE "trigger" = ? AND "version" = ?`, [trigger, version]);
      if (!exists) throw new NotFoundError(`trigger ${trigger} has no state version ${version}`);
      yield* moveAlias({ trigger, alias: "active", from: aliases.active, to: version, actor: options.actor, reason: options.reason ?? null, pinned: options.pin ?? false, at: now });
      yield* run(
        `INSERT INTO "AuditEvent" ("id", "actor", "action", "target", "reason", "data", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [newId(), options.actor, "state.rollback", trigger, options.reason ?? null, JSON.stringify({ from: aliases.active, to: version, pin: options.pin ?? false }), now],
      );
      if (provider === "postgresql") yield* all(`SELECT pg_notify('motion_state', ?)`, [trigger]);
      return { from: aliases.active, to: version };
    });
    await this.refresh(trigger);
    this.scheduler?.kick(trigger);
    return moved;
  }

  /** Lets `active` follow `latest` again after a pinned rollback; held fits resume. */
  async unpin(trigger: string, options: { actor: string; reason?: string }): Promise<void> {
    this.trigger(trigger);
    const now = new Date();
    await this.db.tx(function* () {
      const aliases = yield* readAliases(trigger);
      if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
      if (!aliases.pinned) return;
      yield* moveAlias({ trigger, alias: "active", from: aliases.active, to: aliases.active, actor: options.actor, reason: options.reason ?? "unpin", pinned: false, at: now });
    });
    this.scheduler?.kick(trigger);
  }

  /** Sets params (validated against the trigger's schema; audited); every process follows. */
  async setParams(trigger: string, params: Record<string, unknown>, options: { actor: string }): Promise<{ params: unknown; hash: string }> {
    this.trigger(trigger);
    return this.params.set(trigger, params, options.actor);
  }

  /** Re-queues a dead-lettered fit run with fresh attempts. */
  async retryFit(runId: string, options: { actor: string; reason?: string }): Promise<void> {
    const existing = await this.db.read(() => readFitRun(runId));
    if (!existing) throw new NotFoundError(`no fit run ${runId}`);
    const now = new Date();
    const ok = await this.db.tx(function* () {
      const changed = yield* requeueDead(runId);
      if (changed) {
        yield* run(
          `INSERT INTO "AuditEvent" ("id", "actor", "action", "target", "reason", "data", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [newId(), options.actor, "fits.retry", runId, options.reason ?? null, JSON.stringify({ trigger: existing.trigger }), now],
        );
      }
      return changed;
    });
    if (!ok) throw new ConflictError(`fit run ${runId} is ${existing.status}; only dead-lettered (failed) runs can be retried`);
    this.scheduler?.kick(existing.trigger);
  }

  /** Waits until every pending fit has committed or failed for good. */
  async flush(): Promise<void> {
    if (!this.scheduler) throw new Error("this process does not run fits (runFits: false)");
    await this.scheduler.flush();
  }

  /** Stops scheduling, lets running fits finish, closes the database if Motion opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sync.close();
    await this.driftMonitor.close();
    await this.scheduler?.close();
    await this.executor?.close();
    await this.unlisten?.();
    if (this.ownsDb) await this.db.close();
  }
}

export function createMotion(options: MotionOptions): Promise<Motion> {
  return Motion.open(options);
}
