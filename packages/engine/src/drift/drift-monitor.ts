// `motion.drift`: judges closed partitions against their history, holds or refits routes on a
// flag, and carries out operators' decisions. Every flag and decision is an event in the same
// transaction as the change it records.
import { decodeJson, type Database } from "@motion/db";
import { type App } from "../app.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { type Logger } from "../logger.ts";
import { type Relation } from "../relation.ts";
import { type ResolvedRoute, type Trigger } from "../trigger.ts";
import { heatmapData, seriesData, type Heatmap, type SeriesPoint } from "./chart-data.ts";
import {
  CompactionRace, compactProfiles, decideVerdict, dropHeld, heldPartitions, queueRefit, readAlerts, readDriftEvents, type AlertKey,
  readPartitionCounts, readProfileRows, readVerdict, readVerdicts, recordDriftEvent, releaseHeld, rowsOfPartitions, writeVerdict,
  type PartitionCount, type StoredVerdict,
} from "./drift-store.ts";
import { type PartitionVerdict } from "./detector.ts";
import { explainFinding } from "./explain.ts";
import { partitionEnd } from "./partition-range.ts";
import { insertSorted, type PartitionProfiles } from "./drift-compute.ts";
import { DriftWorker } from "./drift-worker.ts";
import {
  type DriftDecision, type DriftEvent, type DriftPartition, type DriftProfileView, type DriftRelationSummary, type DriftStatus, type DriftSurface,
} from "./surface.ts";

export interface DriftMonitorOptions {
  db: Database;
  app: App;
  log: Logger;
  /** Wakes the fit scheduler for triggers whose rows became fit-able. */
  kick: (trigger: string) => void;
  /** Whether this process judges partitions on its own (after ingest, periodically). */
  autoCheck: boolean;
  /** Merge, summarise and judge in a worker thread (default true), off the event loop that answers. */
  thread?: boolean;
  /** How often open partitions are looked at for closing (default 60 s; 0 = never). */
  intervalMs?: number;
}

/** Statuses an operator has not decided: a new verdict may replace them. */
const UNDECIDED: ReadonlySet<DriftStatus> = new Set(["ok", "drift", "held", "insufficient-history"]);
const FLAGGED: ReadonlySet<DriftStatus> = new Set(["drift", "held"]);

/**
 * Partitions whose profiles are read (and sent to the drift thread) at a time: their rows are
 * taken in and posted on again by this thread, so a chunk is an event-loop stall (32 took ~5 ms).
 */
const LOAD_CHUNK = 8;
/** Partitions judged per call to the drift thread. */
const JUDGE_SLICE = 16;

type Range = { from?: string; to?: string };

export class DriftMonitor implements DriftSurface {
  private readonly db: Database;
  private readonly app: App;
  private readonly log: Logger;
  private readonly kick: (trigger: string) => void;
  private readonly autoCheck: boolean;
  /** Merges, summaries and judgements, in a worker thread; it holds the summaries. */
  private readonly compute: DriftWorker;
  /** Newest partition seen at ingest per relation: a newer one closes the ones before. */
  private readonly newest = new Map<string, string>();
  /** Checks of one relation run one at a time in this process. */
  private readonly running = new Map<string, Promise<DriftPartition[]>>();
  private readonly soon = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(options: DriftMonitorOptions) {
    this.db = options.db;
    this.app = options.app;
    this.log = options.log;
    this.kick = options.kick;
    this.autoCheck = options.autoCheck;
    this.compute = new DriftWorker(options.thread ?? true);
    const interval = options.intervalMs ?? 60_000;
    if (this.autoCheck && interval > 0) {
      this.timer = setInterval(() => {
        for (const r of this.profiled()) this.checkInBackground(r.name);
      }, interval);
      this.timer.unref();
    }
  }

  async close(): Promise<unknown> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const settled = await Promise.allSettled([...this.running.values()]);
    await this.compute.close();
    return settled;
  }

  /** After rows were stored: a partition newer than any seen closes the earlier ones. */
  noteIngest(rel: Relation, partitions: string[]): void {
    if (!this.autoCheck || !rel.drift.profile.enabled) return;
    let max = partitions[0]!;
    for (const p of partitions) if (p > max) max = p;
    const seen = this.newest.get(rel.name);
    if (seen !== undefined && max <= seen && partitions.length === 1) return;
    if (seen === undefined || max > seen) this.newest.set(rel.name, max);
    // Many partitions in one batch (a back-fill) or a new newest partition: judge what closed.
    if (seen === undefined || max > seen || new Set(partitions).size > 1) this.checkInBackground(rel.name);
  }

  private checkInBackground(relation: string): void {
    if (this.closed || this.soon.has(relation)) return;
    this.soon.add(relation);
    // Off the ingest call: the answer is returned first, the check runs on a later turn.
    setTimeout(() => {
      this.soon.delete(relation);
      if (this.closed) return;
      this.check(relation).catch((error) => this.log.error({ relation, err: (error as Error).message }, "drift check failed"));
    }, 20).unref();
  }

  private profiled(): Relation[] {
    return this.app.relations.filter((r) => r.drift.profile.enabled);
  }

  private relation(name: string): Relation {
    const rel = this.app.relation(name);
    if (!rel) throw new NotFoundError(`unknown relation ${name}`);
    return rel;
  }

  private routes(rel: Relation): { trigger: Trigger; route: ResolvedRoute }[] {
    return this.app.routesOf(rel.name).filter(({ route }) => route.fit);
  }

  async relations(): Promise<DriftRelationSummary[]> {
    const out: DriftRelationSummary[] = [];
    for (const rel of this.app.relations) {
      const [counts, verdicts] = await this.db.read(function* () {
        return [yield* readPartitionCounts(rel.name), yield* readVerdicts(rel.name, {}, false)] as const;
      });
      out.push({
        relation: rel.name, granularity: rel.drift.granularity, profiled: rel.drift.profile.enabled, partitions: counts.length,
        open: verdicts.filter((v) => FLAGGED.has(v.status)).length, held: verdicts.filter((v) => v.status === "held").length,
        lastPartition: counts.at(-1)?.partition ?? null,
      });
    }
    return out;
  }

  async partitions(relation: string, range: Range = {}): Promise<DriftPartition[]> {
    const rel = this.relation(relation);
    const [counts, verdicts] = await this.db.read(function* () {
      return [yield* readPartitionCounts(rel.name, range), yield* readVerdicts(rel.name, range, false)] as const;
    });
    const byPartition = new Map(verdicts.map((v) => [v.partition, v]));
    return counts.map((c) => {
      const v = byPartition.get(c.partition);
      return v ? publicVerdict(v, c.rows) : openPartition(rel, c);
    });
  }

  async profile(relation: string, partition: string): Promise<DriftProfileView> {
    const rel = this.relation(relation);
    const [, verdict] = await Promise.all([this.load(rel, [partition]), this.db.read(() => readVerdict(this.db.provider, rel.name, partition))]);
    const cached = await this.compute.summary(rel.name, partition);
    if (!cached) throw new NotFoundError(`relation ${relation} has no partition ${partition}`);
    return {
      relation, partition, rows: cached.rows, summary: cached.summary,
      verdict: verdict ? publicVerdict(verdict, cached.rows) : null,
      findings: verdict?.findings ?? [],
      explanation: (verdict?.columns ?? []).map(explainFinding),
    };
  }

  async series(relation: string, column: string, statistic: string, range: Range = {}): Promise<SeriesPoint[]> {
    const rel = this.relation(relation);
    const verdicts = await this.db.read(() => readVerdicts(rel.name, range));
    const counts = await this.db.read(() => readPartitionCounts(rel.name, range));
    const partitions = await this.load(rel, counts.map((c) => c.partition), counts);
    // Partitions without a comparison still show their value (the line has no gaps).
    const values = new Map(await this.compute.series(rel.name, partitions, column, statistic));
    const byPartition = new Map(verdicts.map((v) => [v.partition, v]));
    const all = counts.map((c) => forCharts(byPartition.get(c.partition) ?? null, rel, c));
    return seriesData(all, column, statistic, values);
  }

  async heatmap(relation: string, range: Range = {}): Promise<Heatmap> {
    const rel = this.relation(relation);
    const verdicts = await this.db.read(() => readVerdicts(rel.name, range));
    return heatmapData(verdicts.map((v) => forCharts(v, rel, v)));
  }

  async events(relation: string, options: { partition?: string; limit?: number; cursor?: string } = {}): Promise<DriftEvent[]> {
    const rel = this.relation(relation);
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError("drift.events", [{ index: 0, path: ["limit"], message: "limit must be an integer from 1 to 1000", code: "too_big" }]);
    const events = await this.db.read(() => readDriftEvents(rel.name, options.partition, limit, options.cursor));
    if (!events) throw new ValidationError("drift.events", [{ index: 0, path: ["cursor"], message: `no drift event ${options.cursor} of ${rel.name}`, code: "invalid_value" }]);
    return events;
  }

  async alerts(options: { limit?: number; cursor?: AlertKey } = {}): Promise<DriftPartition[]> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError("drift.alerts", [{ index: 0, path: ["limit"], message: "limit must be an integer from 1 to 1000", code: "too_big" }]);
    const relations = this.app.relations.map((r) => r.name);
    const verdicts = await this.db.read(() => readAlerts(relations, limit, options.cursor));
    if (!verdicts) throw new ValidationError("drift.alerts", [{ index: 0, path: ["cursor"], message: "that alert has been decided since; start from the first page", code: "invalid_value" }]);
    return verdicts.map((v) => publicVerdict(v, v.rows));
  }

  /** Judges every closed partition without a current verdict; returns the new verdicts. */
  check(relation: string): Promise<DriftPartition[]> {
    const rel = this.relation(relation);
    const previous = this.running.get(rel.name) ?? Promise.resolve([]);
    const next = previous.catch(() => []).then(() => this.judge(rel, new Date()));
    this.running.set(rel.name, next);
    void next.finally(() => {
      if (this.running.get(rel.name) === next) this.running.delete(rel.name);
    }).catch(() => undefined);
    return next;
  }

  private closedAt(rel: Relation, partition: string, newest: string, now: Date): boolean {
    if (partition < newest) return true;
    const end = partitionEnd(partition, rel.drift.granularity);
    return end !== null && now.getTime() >= end.getTime() + rel.drift.closeAfterMs;
  }

  private async judge(rel: Relation, now: Date): Promise<DriftPartition[]> {
    if (!rel.drift.profile.enabled) return [];
    const db = this.db;
    const [counts, stored] = await db.read(function* () {
      return [yield* readPartitionCounts(rel.name), yield* readVerdicts(rel.name, {}, false)] as const;
    });
    if (counts.length === 0) return [];
    const newest = counts.at(-1)!.partition;
    const verdicts = new Map(stored.map((v) => [v.partition, v]));
    const candidates = counts.filter((c) => {
      if (!this.closedAt(rel, c.partition, newest, now)) return false;
      const v = verdicts.get(c.partition);
      return !v || (v.rows !== c.rows && UNDECIDED.has(v.status));
    });
    const judged: DriftPartition[] = [];
    let interrupted = false;
    if (candidates.length) {
      await this.load(rel, counts.map((c) => c.partition), counts);
      const holds = this.routes(rel).some(({ route }) => route.onDrift === "hold");
      const detect = { minHistory: rel.drift.minHistory, window: rel.drift.window, threshold: rel.drift.threshold, columnThreshold: rel.drift.columnThreshold, columns: rel.drift.columns ? [...rel.drift.columns] : undefined };
      // Valid history in partition order; candidates judged oldest first join it as they pass.
      // The drift thread judges them; this thread only stores the verdicts.
      const valid = counts.filter((c) => verdicts.get(c.partition)?.valid).map((c) => c.partition);
      const queue = candidates.map((c) => c.partition);
      // A slice at a time: each reply is small to take in here, and each slice is judged
      // against the history as the verdicts stored before it left it.
      for (let at = 0; at < queue.length && !interrupted; at += JUDGE_SLICE) {
        const results = await this.compute.judge({ relation: rel.name, detect, valid, candidates: queue.slice(at, at + JUDGE_SLICE) });
        for (const { partition, rows, verdict, findingsJson } of results) {
          // On SQLite a write resolves without I/O: yield so answers waiting here are served.
          await yieldTurn();
          const previous = verdicts.get(partition);
          const flagged = verdict.status === "drift";
          const status: DriftStatus = flagged ? (holds ? "held" : "drift") : verdict.status;
          const record: StoredVerdict = {
            relation: rel.name, partition, rows, status, valid: !flagged, score: verdict.score,
            threshold: verdict.threshold, history: verdict.history, columns: verdict.columns, findings: [], findingsJson,
            checkedAt: now, decidedBy: null,
          };
          if (!(await this.writeJudgement(rel, record, previous, now))) {
            // An operator decided this partition (or another process judged it) meanwhile: the
            // later verdicts of this pass assumed otherwise.
            interrupted = true;
            break;
          }
          verdicts.set(partition, record);
          if (record.valid) insertSorted(valid, partition);
          else if (valid.includes(partition)) valid.splice(valid.indexOf(partition), 1);
          judged.push(publicVerdict(record, record.rows));
        }
      }
    }
    // Judge what is left against the history as the operator's decision left it.
    if (interrupted && !this.closed) return [...judged, ...(await this.judge(rel, now))];
    await this.settleHeld(rel, verdicts);
    return judged;
  }

  /** Stores one verdict (and a flag event when newly flagged); false if an operator decided meanwhile. */
  private async writeJudgement(rel: Relation, record: StoredVerdict, previous: StoredVerdict | undefined, now: Date): Promise<boolean> {
    const db = this.db;
    const newlyFlagged = FLAGGED.has(record.status) && !(previous && FLAGGED.has(previous.status));
    const refits = newlyFlagged ? this.routes(rel).filter(({ route }) => route.onDrift === "refit") : [];
    const plan = refits.length ? await this.refitPlan(rel, record.partition, false) : null;
    const filtered = plan ? await this.filteredRefitRows(rel, refits, plan) : new Map<string, string[] | null>();
    const wrote = await db.tx(function* () {
      const current = yield* readVerdict(db.provider, rel.name, record.partition, true);
      if (current && !UNDECIDED.has(current.status)) return false;
      if (current && current.rows === record.rows && current.checkedAt.getTime() >= record.checkedAt.getTime()) return false;
      yield* writeVerdict(record, current !== undefined);
      if (newlyFlagged && !(current && FLAGGED.has(current.status))) {
        yield* recordDriftEvent({
          relation: rel.name, partition: record.partition, action: "flag", actor: "detector", reason: null, at: now,
          data: { score: record.score, threshold: record.threshold, columns: record.columns.map((c) => ({ column: c.column, statistic: c.statistic, z: c.z })) },
        });
        for (const { trigger, route } of refits) yield* queueRefitEvent(rel, trigger, route, plan!, record.partition, "flag", now, filtered.get(`${trigger.name}/${route.name}`) ?? null);
      }
      return true;
    });
    if (wrote && newlyFlagged) {
      this.log.warn({ relation: rel.name, partition: record.partition, score: record.score, columns: record.columns.map((c) => c.column) }, "drift flagged");
      for (const { trigger } of refits) this.kick(trigger.name);
    }
    return wrote;
  }

  /** Held rows of partitions that are judged fine (or released) become fit-able; dropped ones never. */
  private async settleHeld(rel: Relation, verdicts: Map<string, StoredVerdict>): Promise<void> {
    for (const { trigger, route } of this.routes(rel)) {
      if (route.onDrift !== "hold") continue;
      const partitions = await this.db.read(() => heldPartitions(trigger.name, route.name));
      let released = 0;
      for (const partition of partitions) {
        const status = verdicts.get(partition)?.status;
        if (status === "ok" || status === "insufficient-history" || status === "released") {
          released += await this.db.tx(() => releaseHeld(trigger.name, route.name, partition));
        } else if (status === "dropped") {
          await this.db.tx(() => dropHeld(trigger.name, route.name, partition));
        }
      }
      if (released) this.kick(trigger.name);
    }
  }

  /** The recent valid partitions a refit reads (and the route-filtered row ids when needed). */
  private async refitPlan(rel: Relation, partition: string, includeIt: boolean): Promise<RefitPlan> {
    const verdicts = await this.db.read(() => readVerdicts(rel.name, {}, false));
    const maxWindow = Math.max(1, ...this.routes(rel).map(({ route }) => route.refitWindow));
    const valid = verdicts.filter((v) => v.valid && v.partition !== partition).map((v) => v.partition);
    const partitions = valid.slice(-maxWindow);
    if (includeIt) partitions.push(partition);
    return { partitions };
  }

  private async decide(
    relation: string, partition: string, decision: DriftDecision, action: "release" | "drop" | "mark-valid",
  ): Promise<DriftPartition> {
    const rel = this.relation(relation);
    if (!decision?.actor) throw new ValidationError(`drift.${action}`, [{ index: 0, path: ["actor"], message: "actor is required", code: "invalid_type" }]);
    const reason = decision.reason?.trim() || null;
    const db = this.db;
    const now = new Date();
    const routes = this.routes(rel);
    const refits = action === "drop" ? [] : routes.filter(({ route }) => route.onDrift === "refit");
    const plan = refits.length ? await this.refitPlan(rel, partition, true) : null;
    const filtered = plan ? await this.filteredRefitRows(rel, refits, plan) : new Map<string, string[] | null>();
    const result = await db.tx(function* () {
      const current = yield* readVerdict(db.provider, rel.name, partition, true);
      if (!current) throw new NotFoundError(`relation ${relation} has no judged partition ${partition}`);
      const allowed = action === "mark-valid" ? current.status !== "ok" || !current.valid : FLAGGED.has(current.status);
      if (!allowed) throw new ConflictError(`partition ${relation}/${partition} is ${current.status}; ${action === "mark-valid" ? "it is already valid" : "only a flagged (drift or held) partition can be " + (action === "release" ? "released" : "dropped")}`);
      const status: DriftStatus =
        action === "release" ? "released" : action === "drop" ? "dropped" : FLAGGED.has(current.status) ? "ok" : current.status;
      const valid = action === "mark-valid" ? true : current.valid;
      yield* decideVerdict(rel.name, partition, status, valid, decision.actor, now);
      let rows = 0;
      for (const { trigger, route } of routes) {
        if (route.onDrift !== "hold") continue;
        rows += action === "drop" ? yield* dropHeld(trigger.name, route.name, partition) : yield* releaseHeld(trigger.name, route.name, partition);
      }
      yield* recordDriftEvent({ relation: rel.name, partition, action, actor: decision.actor, reason, at: now, data: { from: current.status, to: status, rows } });
      // A mark-valid of a partition already released or dropped changes history only.
      const refit = action === "release" || (action === "mark-valid" && FLAGGED.has(current.status));
      if (refit) for (const { trigger, route } of refits) yield* queueRefitEvent(rel, trigger, route, plan!, partition, action, now, filtered.get(`${trigger.name}/${route.name}`) ?? null);
      return { ...current, status, valid };
    });
    for (const { trigger } of routes) this.kick(trigger.name);
    return publicVerdict(result, result.rows);
  }

  /** Route filters run in JS: the ids of plan rows each filtering route takes. */
  private async filteredRefitRows(rel: Relation, refits: { trigger: Trigger; route: ResolvedRoute }[], plan: RefitPlan): Promise<Map<string, string[] | null>> {
    const out = new Map<string, string[] | null>();
    if (!refits.some(({ route }) => route.filter)) return out;
    const rows = await this.db.read(() => rowsOfPartitions(rel.name, plan.partitions));
    for (const { trigger, route } of refits) {
      const filter = route.filter;
      out.set(`${trigger.name}/${route.name}`, filter ? rows.filter((r) => filter(decodeJson(this.db.provider, r.data))).map((r) => r.id) : null);
    }
    return out;
  }

  release(relation: string, partition: string, decision: DriftDecision): Promise<DriftPartition> {
    return this.decide(relation, partition, decision, "release");
  }

  drop(relation: string, partition: string, decision: DriftDecision): Promise<DriftPartition> {
    return this.decide(relation, partition, decision, "drop");
  }

  markValid(relation: string, partition: string, decision: DriftDecision): Promise<DriftPartition> {
    return this.decide(relation, partition, decision, "mark-valid");
  }

  /**
   * Summaries of some partitions, from the cache where the row count is unchanged; profile rows
   * of a partition written by many batches are merged and compacted into one on the way.
   */
  /**
   * Brings the drift thread's summaries of these partitions up to date: the profiles of
   * partitions whose row count changed are read (a long read, off this thread on SQLite) a
   * chunk at a time, merged and summarised there; merged rows are compacted here. Returns the
   * partitions that have profiles.
   */
  private async load(rel: Relation, partitions: string[], known?: readonly PartitionCount[]): Promise<string[]> {
    const counts = new Map((known ?? (await this.db.read(() => readPartitionCounts(rel.name)))).map((c) => [c.partition, c.rows]));
    const wanted = partitions.filter((p) => counts.has(p));
    const held = await this.compute.known(rel.name);
    const stale = wanted.filter((p) => held.get(p) !== counts.get(p));
    for (let i = 0; i < stale.length; i += LOAD_CHUNK) {
      const chunk = stale.slice(i, i + LOAD_CHUNK);
      const stored = await this.db.readLong(() => readProfileRows(rel.name, chunk));
      const grouped = new Map<string, PartitionProfiles>();
      for (const s of stored) {
        const g = grouped.get(s.partition) ?? { partition: s.partition, ids: [], profiles: [] };
        g.ids.push(s.id);
        g.profiles.push(s.profile);
        grouped.set(s.partition, g);
      }
      const compactions = await this.compute.load({ relation: rel.name, options: rel.drift.profile, partitions: [...grouped.values()] });
      for (const c of compactions) await this.compact(rel, c.partition, c.ids, c.merged, c.rows);
    }
    return wanted;
  }

  private async compact(rel: Relation, partition: string, ids: string[], merged: string, rows: number): Promise<void> {
    try {
      await this.db.tx(() => compactProfiles(rel.name, partition, ids, merged, rows, new Date()));
    } catch (error) {
      // Another process merged the same rows: its result stands, ours is dropped.
      if (!(error instanceof CompactionRace)) throw error;
    }
  }
}

interface RefitPlan {
  /** Recent valid partitions (oldest first), then the decided partition when it is included. */
  partitions: string[];
}

function* queueRefitEvent(
  rel: Relation, trigger: Trigger, route: ResolvedRoute, plan: RefitPlan, partition: string, cause: string, now: Date, ids: string[] | null = null,
) {
  const partitions = plan.partitions.slice(-route.refitWindow - (plan.partitions.includes(partition) ? 1 : 0));
  const queued = yield* queueRefit(trigger.name, route.name, rel.name, partitions, ids, now);
  yield* recordDriftEvent({
    relation: rel.name, partition, action: "refit", actor: "detector", reason: `after ${cause}`, at: now,
    data: { trigger: trigger.name, route: route.name, partitions, rows: queued },
  });
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function publicVerdict(v: StoredVerdict, rows: number): DriftPartition {
  return {
    relation: v.relation, partition: v.partition, rows, status: v.status, score: v.score, threshold: v.threshold,
    columns: v.columns, history: v.history, valid: v.valid, checkedAt: v.checkedAt,
  };
}

function openPartition(rel: Relation, c: PartitionCount): DriftPartition {
  return {
    relation: rel.name, partition: c.partition, rows: c.rows, status: "open", score: null, threshold: rel.drift.threshold,
    columns: [], history: 0, valid: false, checkedAt: null,
  };
}

/** The chart preparers' view: any partition flagged at some point is marked. */
function forCharts(v: StoredVerdict | null, rel: Relation, c: { partition: string; rows: number }): PartitionVerdict {
  if (!v) return { partition: c.partition, rows: c.rows, status: "ok", score: null, threshold: rel.drift.threshold, columns: [], findings: [], history: 0 };
  const flagged = v.status === "drift" || v.status === "held" || v.status === "released" || v.status === "dropped";
  return {
    partition: v.partition, rows: v.rows, status: flagged ? "drift" : v.status === "insufficient-history" ? "insufficient-history" : "ok",
    score: v.score, threshold: v.threshold, columns: v.columns, findings: v.findings, history: v.history,
  };
}
