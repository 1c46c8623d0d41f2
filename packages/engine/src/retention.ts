// Retention: rows older than a relation's `retention.days` (or an operator's cut-off) are
// deleted for real, with their inferences, labels and the feedback rows mirroring them
// (row-deletion.ts), in bounded batches so no transaction holds the writer for long and
// answers keep flowing between batches. Rows not yet fitted (pending, held by drift) are
// kept until their fit has run or been dropped: retention never silently un-learns a backlog.
// Space: PostgreSQL reuses it through autovacuum; SQLite databases created with
// auto_vacuum = INCREMENTAL (every database Motion creates) hand freed pages back to the file
// system after a run (`PRAGMA incremental_vacuum`).
import { idFloor, pgAnalyze, pgBloatedTables, pgTryAdvisoryXactLock, prepare, selectAll, sqliteIncrementalVacuum, sqlitePragma, storage, type Database, type Query } from "@motion/db";
import type { App } from "./app.ts";
import { recordAudit } from "./audit-log.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { deleteRows, type DeletedRows } from "./row-deletion.ts";
import { collectState, statePolicies, type StateGcReport } from "./state-gc.ts";
import { pruneBookkeeping, type BookkeepingReport as PruneReport } from "./bookkeeping-gc.ts";
import { compactOutcomeHours } from "./outcomes/outcome-compaction.ts";

/** What a bookkeeping pass pruned, and the hourly outcome rows it folded into days. */
export interface BookkeepingReport extends PruneReport {
  /** VersionHour rows of days past the window folded into one row per day (outcome-compaction.ts). */
  outcomeHours: number;
  outcomeHourLatencies: number;
}


export { retentionOptionsSchema, type RetentionOptions } from "./retention-options.ts";

export interface PurgeReport {
  relation: string;
  /** Rows stored before this instant were candidates. */
  before: Date;
  /** Rows deleted, including the feedback rows mirroring labels on them. */
  rows: number;
  inferences: number;
  feedback: number;
  /** Candidates kept because a fit has not taken them yet (pending or held). */
  keptPending: number;
  batches: number;
  /** False when the run stopped at its time budget (or at close) with candidates left. */
  done: boolean;
}

export interface RetentionRunOptions {
  actor: string;
  reason?: string;
  /** Most rows per transaction (default 500). */
  batchSize?: number;
  /**
   * Pacing (default 1 ms on SQLite, 100 ms on PostgreSQL): a batch that took longer than this makes the next one smaller (down
   * to 10 rows), a shorter one lets it grow back up to batchSize; after each batch the purge
   * rests three times as long as the batch held the writer, so adds and answers keep about
   * three quarters of it. 0 turns pacing off: fixed batchSize, no rest (fastest, answers wait behind batches).
   */
  maxBatchMs?: number;
  /** Stop after this long and report `done: false` (default: no limit). */
  maxMs?: number;
}

export interface RetentionServiceOptions {
  db: Database;
  app: App;
  log: Logger;
  /** Apply every relation's `retention` periodically in this process (default: where fits run). */
  auto: boolean;
  intervalMs?: number;
  batchSize?: number;
  /** Schedule ticks, backlog samples and inference rollup minutes older than this are pruned by each pass (default 30). */
  bookkeepingDays?: number;
}

const DAY_MS = 86_400_000;
/**
 * Default pacing. SQLite: 1 ms batches (a batch holds the event loop and the writer). PostgreSQL:
 * batches are awaited I/O, ~40–80 ms of round trips for 500 rows, so 100 ms keeps them at
 * batchSize and only adds the rest (3× the batch): in the 300k-row bench add+infer p99 went
 * from 1.73× idle unpaced to 1.38× (12.4k → 1.7k rows/s).
 */
const DEFAULT_MAX_BATCH_MS = { sqlite: 1, postgresql: 100 } as const;
/** Paced purges write one audit entry per this long of batches (see purgeBatches). */
const AUDIT_EVERY_MS = 2_000;

/** One purge batch: the last id it looked at (null: none left), rows kept as pending, what it deleted, what is left unaudited. */
interface BatchResult {
  last: string | null;
  kept: number;
  deleted: DeletedRows | null;
  span: AuditSpan | null;
}

/** Deletions of consecutive batches not yet in an audit entry. */
interface AuditSpan {
  rows: number;
  inferences: number;
  feedback: number;
  first: string;
  last: string;
  batches: number;
}

/** Rest after a paced batch, as a multiple of its duration: the purge holds the writer about 1/4 of the time. */
const REST_FACTOR = 3;
const MIN_PACED_BATCH = 10;
/** Any constant works: PostgreSQL processes agree on it so one purges a relation at a time. */
const PG_LOCK_KEY = 7_140_512;
/** The tables a purge batch reads by id lists (row-deletion.ts): their plans need statistics. */
const PURGED_TABLES = ["Row", "Inference", "Feedback", "PendingRow", "ReviewQueueItem", "ShadowInference", "InferenceScore", "LabelLock"];

/**
 * PostgreSQL: ANALYZE the tables a purge reads whose statistics are missing or stale: the
 * table is over 1 MB and more than twice the pages it had when last analyzed (or never was),
 * as after a bulk load that autovacuum has not caught up with, or on a server with autovacuum
 * off. Without them the planner took the id range of old rows for a handful of rows and read
 * all of it (a bitmap scan and a sort instead of the index walk a LIMIT stops) in every batch,
 * and read whole tables for `rowId IN (…)`: a 1M-row purge freed ~350 rows/s. The table's
 * size on disk is always current (the activity counters can lag by seconds); deletions alone
 * do not mislead the planner and do not shrink the file, so a purge does not re-analyze
 * because of itself. ANALYZE samples a bounded number of rows (about a second at a million on
 * a loaded machine) and blocks no reads or writes.
 */
export async function refreshPurgeStatistics(db: Database, log?: Logger): Promise<string[]> {
  if (db.provider !== "postgresql") return [];
  const tables = await db.read(() => pgBloatedTables(PURGED_TABLES));
  if (!tables.length) return [];
  const started = performance.now();
  try {
    await db.tx(function* () {
      // Never wait long behind an autovacuum of the same table: its analysis will do.
      yield* pgAnalyze(tables, "2s");
    });
    log?.info({ tables, ms: Math.round(performance.now() - started) }, "retention analyzed tables with stale statistics");
  } catch (error) {
    log?.warn({ err: error, tables }, "retention could not analyze tables; batches may be slow");
  }
  return tables;
}

/** A batch's candidates: the next old rows after the keyset cursor, in id order. */
export const PURGE_CANDIDATES = prepare((relation: string, after: string, ceiling: string, before: Date, limit: number) =>
  storage.selectFrom("Row").select("id").where("relation", "=", relation).where("id", ">", after).where("id", "<", ceiling).where("createdAt", "<", before).orderBy("id").limit(limit),
);

export class RetentionService {
  private readonly db: Database;
  private readonly app: App;
  private readonly log: Logger;
  private readonly batchSize: number;
  /** Bookkeeping older than this is pruned, and hourly outcomes are folded into days. */
  readonly bookkeepingDays: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private closed = false;

  constructor(options: RetentionServiceOptions) {
    this.db = options.db;
    this.app = options.app;
    this.log = options.log;
    this.batchSize = options.batchSize ?? 500;
    this.bookkeepingDays = options.bookkeepingDays ?? 30;
    // The Overview reads one day of rollup minutes: a shorter window would empty its charts.
    if (!Number.isFinite(this.bookkeepingDays) || this.bookkeepingDays < 1) throw new TypeError("retention.bookkeepingDays must be a number ≥ 1");
    const interval = options.intervalMs ?? 60 * 60_000;
    // Every app has bookkeeping to prune, so the pass runs even without retention policies.
    if (options.auto && interval > 0) {
      this.timer = setInterval(() => void this.applyPolicies({ actor: "retention" }).catch((error: unknown) => this.log.error({ err: error }, "retention run failed")), interval);
      this.timer.unref();
    }
  }

  /** The relations that declare `retention`, with their window. */
  policies(): { relation: string; days: number }[] {
    return this.app.relations.filter((r) => r.retention).map((r) => ({ relation: r.name, days: r.retention!.days }));
  }

  /**
   * Applies every declared policy now (one relation after another), then every trigger's
   * `retention.keepVersions` (state GC; its reports via `lastStateReports` and the audit log).
   */
  async applyPolicies(options: RetentionRunOptions): Promise<PurgeReport[]> {
    const now = Date.now();
    const reports: PurgeReport[] = [];
    for (const p of this.policies()) {
      if (this.closed) break;
      reports.push(await this.purge(p.relation, { ...options, before: new Date(now - p.days * DAY_MS), reason: options.reason ?? `retention: ${p.days} days` }));
    }
    if (!this.closed) this.lastStateReports = await this.collectStates({ actor: options.actor, reason: options.reason });
    if (!this.closed) this.lastBookkeeping = await this.pruneBookkeeping({ now: new Date(now) });
    return reports;
  }

  /** What the bookkeeping pruning of the last `applyPolicies` deleted. */
  lastBookkeeping: BookkeepingReport | null = null;

  /**
   * Prunes bookkeeping now: schedule ticks (but each scheduled route's latest ticks), backlog
   * samples and inference rollup minutes older than `days` (default the service's
   * `bookkeepingDays`, 30) before `now`, in `batchSize`-row transactions; and folds the hourly
   * outcomes of whole UTC days before then into one row per day.
   */
  async pruneBookkeeping(options: { days?: number; now?: Date; batchSize?: number } = {}): Promise<BookkeepingReport> {
    const days = options.days ?? this.bookkeepingDays;
    if (!Number.isFinite(days) || days < 1) throw new ValidationError("bookkeeping", [{ index: 0, path: ["days"], message: "days must be a number ≥ 1", code: "invalid_type" }]);
    const before = new Date((options.now ?? new Date()).getTime() - days * DAY_MS);
    const batchSize = options.batchSize ?? this.batchSize;
    const pruned = await pruneBookkeeping(this.db, { before, batchSize, stopped: () => this.closed });
    const folded = await compactOutcomeHours(this.db, { before, batchSize, stopped: () => this.closed });
    const report: BookkeepingReport = { ...pruned, outcomeHours: folded.hours, outcomeHourLatencies: folded.latencies, batches: pruned.batches + folded.batches };
    if (report.scheduleTicks + report.backlogSamples + report.inferenceMinutes + report.outcomeHours + report.outcomeHourLatencies > 0) this.log.info({ ...report }, "pruned bookkeeping");
    return report;
  }

  /** What the state GC of the last `applyPolicies` freed, per trigger. */
  lastStateReports: StateGcReport[] = [];

  /**
   * State GC now: every trigger declaring `retention.keepVersions`, or just `trigger` (with an
   * operator's `keepVersions`, which must be a positive integer).
   */
  async collectStates(options: { actor: string; reason?: string; trigger?: string; keepVersions?: number; batchSize?: number }): Promise<StateGcReport[]> {
    const issue = (path: string, message: string) => new ValidationError("state retention", [{ index: 0, path: [path], message, code: "invalid_type" }]);
    if (!options.actor) throw issue("actor", "actor is required");
    if (options.keepVersions !== undefined && (!Number.isInteger(options.keepVersions) || options.keepVersions < 1)) throw issue("keepVersions", "keepVersions must be a positive integer");
    if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 1_000)) throw issue("batchSize", "batchSize must be an integer in 1..1000");
    let targets = statePolicies(this.app);
    if (options.trigger !== undefined) {
      const t = this.app.triggers.find((x) => x.name === options.trigger);
      if (!t) throw new NotFoundError(`no trigger ${options.trigger}`);
      const keep = options.keepVersions ?? t.keepVersions;
      if (keep === null) throw issue("keepVersions", `trigger ${t.name} declares no retention.keepVersions: give keepVersions`);
      targets = [{ trigger: t.name, keepVersions: keep }];
    } else if (options.keepVersions !== undefined) {
      throw issue("trigger", "keepVersions needs a trigger");
    }
    const reports: StateGcReport[] = [];
    for (const p of targets) {
      if (this.closed) break;
      const report = await collectState(this.db, p.trigger, p.keepVersions, { actor: options.actor, reason: options.reason, batchSize: options.batchSize });
      if (report.versions) this.log.info({ ...report }, "state GC collected versions");
      reports.push(report);
    }
    if (reports.some((r) => r.blobs)) await this.reclaimSpace();
    return reports;
  }

  /**
   * Deletes the rows of `relation` stored before `before` (an operator's "delete rows older
   * than…" or a policy), batch by batch. One audit entry per batch that deleted something,
   * written in that batch's transaction: the log says exactly what is gone, even if the process
   * dies mid-run.
   */
  async purge(relation: string, options: RetentionRunOptions & { before: Date }): Promise<PurgeReport> {
    const issue = (path: string, message: string) => new ValidationError("retention", [{ index: 0, path: [path], message, code: "invalid_type" }]);
    if (!this.app.relations.some((r) => r.name === relation)) throw new NotFoundError(`no relation ${relation}`);
    if (!(options.before instanceof Date) || Number.isNaN(options.before.getTime())) throw issue("before", "before must be a valid date");
    if (options.before.getTime() > Date.now()) throw issue("before", "before must not be in the future");
    if (!options.actor) throw issue("actor", "actor is required");
    const batchSize = options.batchSize ?? this.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5_000) throw issue("batchSize", "batchSize must be an integer in 1..5000");
    if (options.maxBatchMs !== undefined && (!Number.isFinite(options.maxBatchMs) || options.maxBatchMs < 0)) throw issue("maxBatchMs", "maxBatchMs must be a number ≥ 0");
    // Nothing is stored before the epoch (ids and timestamps start there): nothing to delete.
    if (options.before.getTime() <= 0) return { relation, before: options.before, rows: 0, inferences: 0, feedback: 0, keptPending: 0, batches: 0, done: true };
    // One purge at a time in this process: batches of two runs would interleave their audit.
    while (this.running) await this.running.catch(() => undefined);
    const work = this.purgeBatches(relation, options.before, batchSize, options);
    this.running = work;
    try {
      return await work;
    } finally {
      this.running = null;
    }
  }

  private async purgeBatches(relation: string, before: Date, batchSize: number, options: RetentionRunOptions): Promise<PurgeReport> {
    const report: PurgeReport = { relation, before, rows: 0, inferences: 0, feedback: 0, keptPending: 0, batches: 0, done: false };
    // Every route in the app: deleting a row removes its pending entries by primary key.
    const routes = this.app.triggers.flatMap((t) => t.routes.map((r) => ({ trigger: t.name, route: r.name })));
    const fitting = this.app.routesOf(relation).filter((r) => r.route.fit).map((r) => ({ trigger: r.trigger.name, route: r.route.name }));
    const provider = this.db.provider;
    const started = performance.now();
    await refreshPurgeStatistics(this.db, this.log);
    // SQLite batches run on the event loop that answers; PostgreSQL batches share the CPUs and
    // the WAL with the adds: both paced by default (see DEFAULT_MAX_BATCH_MS).
    const pace = options.maxBatchMs ?? DEFAULT_MAX_BATCH_MS[provider];
    let size = batchSize;
    // Ids are time-sortable: walk the relation by id below the cut-off's id, a keyset that
    // moves past rows kept as pending instead of finding them again in every batch.
    const ceiling = idFloor(before.getTime());
    let after = "";
    // Paced batches are small (a few ms each): one audit entry per batch would write thousands
    // for a large purge. Paced, an entry covers the batches of up to AUDIT_EVERY_MS (written in
    // the transaction of the batch that closes it, with the id range it covers); unpaced, one per
    // batch. A crash loses at most that long of entries, never an entry for rows not deleted.
    let unaudited: AuditSpan | null = null;
    let auditedAt = 0;
    const auditData = (span: AuditSpan) => ({ before: before.toISOString(), rows: span.rows, inferences: span.inferences, feedback: span.feedback, first: span.first, last: span.last, batches: span.batches });
    const audit = (span: AuditSpan) => recordAudit({ actor: options.actor, action: "rows.retention", target: relation, reason: options.reason, data: auditData(span) });
    const flushAudit = async () => {
      const span = unaudited;
      if (!span) return;
      await this.db.tx(() => audit(span));
      unaudited = null;
    };
    for (;;) {
      if (this.closed || (options.maxMs !== undefined && performance.now() - started > options.maxMs)) {
        await flushAudit();
        return report;
      }
      const limit = size;
      const batchStart = performance.now();
      const open: AuditSpan | null = unaudited;
      const batch = await this.db.tx(function* (): Query<BatchResult | null> {
        if (provider === "postgresql") {
          if (!(yield* pgTryAdvisoryXactLock(PG_LOCK_KEY))) return null; // another process is purging now; try at the next run
        }
        const candidates = yield* PURGE_CANDIDATES.all(relation, after, ceiling, before, limit);
        if (!candidates.length) {
          if (open) yield* audit(open);
          return { last: null, kept: 0, deleted: null, span: null };
        }
        const ids = candidates.map((c) => c.id);
        const pending = new Set<string>();
        for (const r of fitting) {
          for (const p of yield* selectAll(storage.selectFrom("PendingRow").select("rowId").where("trigger", "=", r.trigger).where("route", "=", r.route).where("rowId", "in", ids))) pending.add(p.rowId);
        }
        const doomed = pending.size ? ids.filter((id) => !pending.has(id)) : ids;
        const deleted = doomed.length ? yield* deleteRows(doomed, routes) : null;
        let span: AuditSpan | null = open;
        if (deleted) {
          span = {
            rows: (open?.rows ?? 0) + deleted.rowIds.length, inferences: (open?.inferences ?? 0) + deleted.inferences, feedback: (open?.feedback ?? 0) + deleted.feedback,
            first: open?.first ?? doomed[0]!, last: doomed.at(-1)!, batches: (open?.batches ?? 0) + 1,
          };
          if (pace === 0 || batchStart - auditedAt >= AUDIT_EVERY_MS) {
            yield* audit(span);
            span = null;
          }
        }
        return { last: ids.at(-1)!, kept: pending.size, deleted, span };
      });
      if (batch === null) {
        await flushAudit();
        return report;
      }
      // Committed: what the batch audited (or left open) is now the state.
      if (batch.span === null && (batch.deleted || unaudited)) auditedAt = batchStart;
      unaudited = batch.span;
      if (batch.last === null) break;
      after = batch.last;
      report.batches++;
      report.keptPending += batch.kept;
      if (batch.deleted) {
        report.rows += batch.deleted.rowIds.length;
        report.inferences += batch.deleted.inferences;
        report.feedback += batch.deleted.feedback;
      }
      // Let answers through between batches: on SQLite a batch holds the event loop and the
      // writer, on PostgreSQL the rows and index pages it touches. Paced, the next batch is
      // sized to take about `pace` ms and waits three times as long as this one took.
      const took = performance.now() - batchStart;
      if (pace > 0) {
        size = Math.max(MIN_PACED_BATCH, Math.min(batchSize, Math.round(limit * Math.min(2, pace / Math.max(took, 0.05)))));
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(took * REST_FACTOR))));
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    report.done = true;
    if (report.rows) {
      this.log.info({ relation, rows: report.rows, inferences: report.inferences, feedback: report.feedback, keptPending: report.keptPending }, "retention deleted rows");
      await this.reclaimSpace();
    }
    return report;
  }

  /** SQLite: hand freed pages back to the file system, a bounded step at a time. */
  private async reclaimSpace(): Promise<void> {
    if (this.db.provider !== "sqlite") return;
    const mode = await this.db.read(() => sqlitePragma("auto_vacuum"));
    if (mode !== 2) return; // not INCREMENTAL: a database from before; see docs
    for (let i = 0; i < 10_000 && !this.closed; i++) {
      const free = await this.db.read(() => sqlitePragma("freelist_count"));
      if (!free) return;
      await this.db.tx(() => sqliteIncrementalVacuum(2000));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
