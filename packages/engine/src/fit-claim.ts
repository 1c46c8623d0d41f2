import { all, execute, insertRows, newId, prepare, selectAll, storage, toDate, toJson, type Provider, type Query, type RowValues } from "@motion/db";
import type { FitReason } from "./trigger.ts";

export interface ClaimRoute {
  name: string;
  relation: string;
  batchSize: number;
  maxWaitMs: number;
  /** A scheduled route: its rows are never batched here; only the runs its ticks queued are claimed. */
  scheduled?: boolean;
}

/** One trigger a claim may take a batch for. */
export interface ClaimTarget {
  trigger: string;
  routes: readonly ClaimRoute[];
  params: unknown;
  paramsHash: string;
  maxAttempts: number;
}

export interface ClaimRequest {
  targets: readonly ClaimTarget[];
  owner: string;
  leaseMs: number;
  now: Date;
  /** Take partial batches now instead of waiting for batchSize or maxWaitMs (flush). */
  force: boolean;
  /** The scheduler is closing: decide nothing more (checked before anything is claimed). */
  stopped?: () => boolean;
  /**
   * Most batches of one trigger taken in one claim, run one after another on the chained
   * state (default 1). Fewer when the batches would hold more than CHAIN_ROWS rows.
   */
  maxChain?: number;
}

/** A chain of batches stops growing past this many rows (memory held per trigger per round). */
export const CHAIN_ROWS = 1000;

export interface Claim {
  runId: string;
  trigger: string;
  route: string;
  rowIds: string[];
  attempts: number;
  /** The active version when the batch was claimed: the fit's base. */
  baseVersion: number;
  /** "drift" when the batch is a drift refit, "schedule" for a scheduled tick's run, else null. */
  reason: FitReason;
  /** The params recorded with the run: the fit runs with them. */
  params: unknown;
  /**
   * The trigger's newest version number when the batch was claimed. A chain's batches (the
   * claims of one trigger, in order) produce the versions after it, one each.
   */
  latestVersion: number;
}

export interface ClaimOutcome {
  claims: Claim[];
  /** When a batch of a target that is not ready now can become ready (ageing rows, backoff). */
  wakeAt: number | null;
}

interface Queued {
  id: string;
  trigger: string;
  route: string;
  rowIds: unknown;
  attempts: unknown;
  reason: string | null;
  runAfter: unknown;
  queuedAt: unknown;
}

interface Candidate {
  trigger: string;
  route: string;
  rowId: string;
  reason: string | null;
  createdAt: unknown;
}

const RUN_COLUMNS = [
  "id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "deadLettered",
  "leaseOwner", "leaseUntil", "queuedAt", "startedAt", "reason", "baseVersion",
] as const;

/**
 * Takes the next batch of every target that has one ready, in one transaction: at most one
 * batch per trigger (fits of a trigger are serialized), a run waiting for its retry before new
 * rows. Set-based on PostgreSQL — a handful of statements for any number of triggers — so a
 * worker pays the round trips once per round, not once per fit.
 *
 * One fit per trigger at a time, across processes: a claim locks the triggers' `active` alias
 * rows (skipping rows another process holds: it is claiming or committing that trigger), and a
 * live lease means busy. Rows are claimed with a conditional UPDATE, so two workers can never
 * claim the same row.
 */
export function* claimBatches(provider: Provider, req: ClaimRequest): Query<ClaimOutcome> {
  const pg = provider === "postgresql";
  const names = req.targets.map((t) => t.trigger);
  if (names.length === 0) return { claims: [], wakeAt: null };
  // `latest` is the newest version (only commits create versions, and they hold this lock).
  const aliases = storage.selectFrom("StateAlias as a")
    .select((eb) => ["a.trigger", "a.version", eb.selectFrom("StateAlias as l").select("l.version").whereRef("l.trigger", "=", "a.trigger").where("l.name", "=", "latest").as("latest")])
    .where("a.name", "=", "active").where("a.pinned", "=", false).where("a.trigger", "in", names).orderBy("a.trigger");
  const locked = yield* selectAll(pg ? aliases.forUpdate("a").skipLocked() : aliases);
  if (locked.length === 0) return { claims: [], wakeAt: null };
  const lockedTargets = req.targets.filter((t) => locked.some((l) => l.trigger === t.trigger));
  const now = req.now.getTime();
  let wakeAt = Infinity;

  // Which locked triggers are busy, then runs waiting for their retry (they come first; their
  // backoff is a wake-up time), then new rows: up to a chain's worth (batchSize × batches) of
  // unclaimed, unheld rows per route, in row order (held rows wait for drift). One statement on PostgreSQL. Busy is read by a later statement
  // than the lock: its snapshot then includes the running run of a claim that held the lock a
  // moment ago (the locking statement's own snapshot would not).
  const maxChain = Math.max(1, Math.floor(req.maxChain ?? 1));
  const slots = lockedTargets.flatMap((t) => t.routes.filter((r) => !r.scheduled).map((r) => ({ trigger: t.trigger, route: r, n: r.batchSize * routeChain(r, maxChain) })));
  const busy = new Set<string>();
  const queued: Queued[] = [];
  const candidates: Candidate[] = [];
  if (pg) {
    // One round trip for busy triggers, queued runs and each route's next rows (unnest +
    // LATERAL), kept as SQL: set-based claims took P6 scale-out fits from 0.12 to 0.91–1.09 of
    // raw BullMQ jobs (docs/operations.md), and Kysely has no typed unnest.
    const found = yield* all<Queued & Candidate & { k: string }>(
      `SELECT DISTINCT 'b' AS "k", NULL AS "id", "trigger", NULL AS "route", NULL::jsonb AS "rowIds", NULL::int AS "attempts", NULL AS "reason", NULL::timestamp(3) AS "runAfter", NULL::timestamp(3) AS "queuedAt", NULL AS "rowId", NULL::timestamp(3) AS "createdAt"
       FROM "FitRun" WHERE "status" = 'running' AND "leaseUntil" > ?::timestamp(3) AND "trigger" = ANY(?::text[])
       UNION ALL
       SELECT 'q', "id", "trigger", "route", "rowIds", "attempts", "reason", "runAfter", "queuedAt", NULL, NULL
       FROM "FitRun" WHERE "status" = 'queued' AND "trigger" = ANY(?::text[])
       UNION ALL
       SELECT 'p', NULL, s."t", s."r", NULL::jsonb, NULL::int, p."reason", NULL::timestamp(3), NULL::timestamp(3), p."rowId", p."createdAt"
       FROM unnest(?::text[], ?::text[], ?::int[]) AS s("t", "r", "n")
       CROSS JOIN LATERAL (SELECT "rowId", "reason", "createdAt" FROM "PendingRow" WHERE "trigger" = s."t" AND "route" = s."r" AND "held" = false AND "fitRunId" IS NULL ORDER BY "rowId" LIMIT s."n") p`,
      [req.now, lockedTargets.map((t) => t.trigger), lockedTargets.map((t) => t.trigger), slots.map((s) => s.trigger), slots.map((s) => s.route.name), slots.map((s) => s.n)],
    );
    for (const f of found) {
      if (f.k === "b") busy.add(f.trigger);
      else (f.k === "q" ? queued : candidates).push(f);
    }
  } else {
    const triggers = lockedTargets.map((t) => t.trigger);
    for (const b of yield* selectAll(storage.selectFrom("FitRun").select("trigger").distinct().where("status", "=", "running").where("leaseUntil", ">", req.now).where("trigger", "in", triggers))) busy.add(b.trigger);
    queued.push(...(yield* selectAll(
      storage.selectFrom("FitRun").select(["id", "trigger", "route", "rowIds", "attempts", "reason", "runAfter", "queuedAt"]).where("status", "=", "queued").where("trigger", "in", triggers),
    )));
    for (const s of slots) candidates.push(...(yield* NEXT_ROWS.all(s.trigger, s.route.name, s.n)));
  }
  // Oldest first; runs of one chain were queued together and go in their claim (id) order.
  queued.sort((a, b) => toDate(a.queuedAt).getTime() - toDate(b.queuedAt).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const base = new Map(locked.filter((l) => !busy.has(l.trigger)).map((l) => [l.trigger, { active: Number(l.version), latest: Number(l.latest ?? l.version) }]));
  const targets = lockedTargets.filter((t) => base.has(t.trigger));
  const retryOf = new Map<string, Queued>();
  for (const q of queued) {
    const target = targets.find((t) => t.trigger === q.trigger);
    if (!target?.routes.some((r) => r.name === q.route)) continue;
    const due = q.runAfter === null ? now : toDate(q.runAfter).getTime();
    if (due > now) wakeAt = Math.min(wakeAt, due);
    else if (!retryOf.has(q.trigger)) retryOf.set(q.trigger, q);
  }
  // A retry runs alone: a fit that killed its process is then the only run its next death
  // can be charged to (see recoverRuns), and it cannot take a chain of others down with it.
  const fresh = targets.filter((t) => !retryOf.has(t.trigger));

  // A route's rows make consecutive batches of batchSize. Full batches are ready; the last,
  // partial one is ready when its oldest row waited maxWaitMs, or on flush. A trigger's chain
  // takes ready batches in the order rounds of one batch each would: the batch whose oldest
  // row waited longest next, across its routes (a route's batches stay in row order).
  const bySlot = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const key = `${c.trigger}\u0000${c.route}`;
    const list = bySlot.get(key);
    if (list) list.push(c);
    else bySlot.set(key, [c]);
  }
  const picks: { target: ClaimTarget; route: ClaimRoute; rows: Candidate[] }[] = [];
  for (const target of fresh) {
    const ready: { route: ClaimRoute; rows: Candidate[]; oldest: number }[][] = [];
    for (const route of target.routes) {
      if (route.scheduled) continue;
      const rows = bySlot.get(`${target.trigger}\u0000${route.name}`) ?? [];
      const batches: { route: ClaimRoute; rows: Candidate[]; oldest: number }[] = [];
      for (let i = 0; i < rows.length; i += route.batchSize) {
        const batch = rows.slice(i, i + route.batchSize);
        let oldest = Infinity;
        for (const r of batch) oldest = Math.min(oldest, toDate(r.createdAt).getTime());
        const dueAt = oldest + route.maxWaitMs;
        if (batch.length < route.batchSize && dueAt > now && !req.force) {
          wakeAt = Math.min(wakeAt, dueAt);
          break;
        }
        batches.push({ route, rows: batch, oldest });
      }
      if (batches.length) ready.push(batches);
    }
    let taken = 0;
    let rowsTaken = 0;
    while (taken < maxChain) {
      let next: (typeof ready)[number] | undefined;
      for (const queue of ready) if (queue.length && (!next || queue[0]!.oldest < next[0]!.oldest)) next = queue;
      if (!next) break;
      const batch = next[0]!;
      if (taken > 0 && rowsTaken + batch.rows.length > CHAIN_ROWS) break;
      next.shift();
      picks.push({ target, route: batch.route, rows: batch.rows });
      taken++;
      rowsTaken += batch.rows.length;
    }
  }

  if (req.stopped?.()) return { claims: [], wakeAt: null };
  const leaseUntil = new Date(now + req.leaseMs);
  const claims: Claim[] = [];
  for (const [trigger, retry] of retryOf) {
    const target = targets.find((t) => t.trigger === trigger)!;
    const { active, latest } = base.get(trigger)!;
    const changed = yield* execute(
      storage.updateTable("FitRun")
        .set((eb) => ({ status: "running", attempts: eb("attempts", "+", 1), params: JSON.stringify(target.params), paramsHash: target.paramsHash, leaseOwner: req.owner, leaseUntil, startedAt: req.now, runAfter: null, baseVersion: active }))
        .where("id", "=", retry.id).where("status", "=", "queued"),
    );
    if (changed === 0) continue;
    claims.push({
      runId: retry.id, trigger, route: retry.route, rowIds: toJson<string[]>(retry.rowIds), attempts: Number(retry.attempts) + 1,
      baseVersion: active, reason: retry.reason === "drift" || retry.reason === "schedule" ? retry.reason : null, params: target.params, latestVersion: latest,
    });
  }
  if (picks.length === 0) return { claims, wakeAt: wakeAt === Infinity ? null : wakeAt };

  // Run ids in chain order (newId is monotonic in a process). A chain's first batch builds on
  // `active`; the k-th after it on latest + k, if every batch before it commits — the commit
  // records the base each one really had.
  const position = new Map<string, number>();
  const runs = picks.map((p) => {
    const k = position.get(p.target.trigger) ?? 0;
    position.set(p.target.trigger, k + 1);
    const { active, latest } = base.get(p.target.trigger)!;
    return { ...p, runId: newId(now), base: k === 0 ? active : latest + k };
  });
  const latestOf = (trigger: string) => base.get(trigger)!.latest;
  const paramsJson = new Map(fresh.map((t) => [t.trigger, JSON.stringify(t.params)]));
  if (pg) {
    // Rows and run records in one statement: each run lists exactly the rows it got. SQL for the
    // same reason as the read above (unnest; P6).
    const rows = runs.flatMap((p) => p.rows.map((r) => ({ ...r, run: p.runId })));
    const made = yield* all<{ id: string; trigger: string; route: string; rowIds: unknown; reason: string | null; baseVersion: unknown }>(
      `WITH "claimed" AS (
         UPDATE "PendingRow" p SET "fitRunId" = c."run" FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS c("t", "r", "id", "run")
         WHERE p."trigger" = c."t" AND p."route" = c."r" AND p."rowId" = c."id" AND p."fitRunId" IS NULL RETURNING p."fitRunId", p."rowId", p."reason"
       ), "batches" AS (
         SELECT "fitRunId", jsonb_agg("rowId" ORDER BY "rowId") AS "ids", COUNT(*)::int AS "n", MAX(CASE WHEN "reason" = 'drift' THEN 'drift' END) AS "reason" FROM "claimed" GROUP BY "fitRunId"
       )
       INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "deadLettered", "leaseOwner", "leaseUntil", "queuedAt", "startedAt", "reason", "baseVersion")
       SELECT x."id", x."t", x."r", x."rel", 'running', b."ids", b."n", x."params"::jsonb, x."hash", 1, x."max", false, ?, ?::timestamp(3), ?::timestamp(3), ?::timestamp(3), b."reason", x."base"
       FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[]) AS x("id", "t", "r", "rel", "params", "hash", "max", "base")
       JOIN "batches" b ON b."fitRunId" = x."id"
       RETURNING "id", "trigger", "route", "rowIds", "reason", "baseVersion"`,
      [
        rows.map((r) => r.trigger), rows.map((r) => r.route), rows.map((r) => r.rowId), rows.map((r) => r.run),
        req.owner, leaseUntil, req.now, req.now,
        runs.map((p) => p.runId), runs.map((p) => p.target.trigger), runs.map((p) => p.route.name), runs.map((p) => p.route.relation),
        runs.map((p) => paramsJson.get(p.target.trigger)!), runs.map((p) => p.target.paramsHash), runs.map((p) => p.target.maxAttempts), runs.map((p) => p.base),
      ],
    );
    made.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const runOf = new Map(runs.map((p) => [p.runId, p]));
    for (const m of made) {
      const target = runOf.get(m.id)!.target;
      claims.push({
        runId: m.id, trigger: m.trigger, route: m.route, rowIds: toJson<string[]>(m.rowIds), attempts: 1, baseVersion: Number(m.baseVersion),
        reason: m.reason === "drift" ? "drift" : null, params: target.params, latestVersion: latestOf(m.trigger),
      });
    }
    return { claims, wakeAt: wakeAt === Infinity ? null : wakeAt };
  }
  const inserts: RowValues<"FitRun", typeof RUN_COLUMNS>[] = [];
  for (const p of runs) {
    const trigger = p.target.trigger;
    const ids = p.rows.map((r) => r.rowId);
    const got = yield* selectAll(
      storage.updateTable("PendingRow").set({ fitRunId: p.runId })
        .where("trigger", "=", trigger).where("route", "=", p.route.name).where("fitRunId", "is", null).where("rowId", "in", ids)
        .returning(["rowId", "reason"]),
    );
    if (got.length === 0) continue;
    const rowIds = got.map((c) => c.rowId).sort();
    const reason = got.some((r) => r.reason === "drift") ? "drift" : null;
    inserts.push([
      p.runId, trigger, p.route.name, p.route.relation, "running", JSON.stringify(rowIds), rowIds.length, JSON.stringify(p.target.params), p.target.paramsHash,
      1, p.target.maxAttempts, false, req.owner, leaseUntil, req.now, req.now, reason, p.base,
    ]);
    claims.push({ runId: p.runId, trigger, route: p.route.name, rowIds, attempts: 1, baseVersion: p.base, reason, params: p.target.params, latestVersion: latestOf(trigger) });
  }
  yield* insertRows("FitRun", RUN_COLUMNS, inserts);
  return { claims, wakeAt: wakeAt === Infinity ? null : wakeAt };
}

// A route's next unclaimed, unheld rows (SQLite: one indexed range per route per round).
const NEXT_ROWS = prepare((trigger: string, route: string, limit: number) =>
  storage.selectFrom("PendingRow").select(["trigger", "route", "rowId", "reason", "createdAt"])
    .where("trigger", "=", trigger).where("route", "=", route).where("held", "=", false).where("fitRunId", "is", null).orderBy("rowId").limit(limit),
);

/** How many batches of a route one chain may take: maxChain, fewer for large batches. */
function routeChain(route: ClaimRoute, maxChain: number): number {
  return Math.max(1, Math.min(maxChain, Math.floor(CHAIN_ROWS / route.batchSize)));
}

/**
 * The triggers worth a claim (PostgreSQL): not fitting anywhere, with unclaimed unheld rows or
 * a queued run. One read without locks, so a worker whose peers hold every busy trigger (or
 * that was woken for nothing) pays one round trip instead of a claim transaction.
 */
export function* claimable(targets: readonly ClaimTarget[], now: Date): Query<Set<string>> {
  const slots = targets.flatMap((t) => t.routes.map((r) => ({ trigger: t.trigger, route: r.name, scheduled: !!r.scheduled })));
  if (slots.length === 0) return new Set();
  // A scheduled route's pending rows wait for its tick: only its queued runs make it claimable.
  // SQL (unnest over the routes): one round trip per peek, like the claim's read (P6).
  const rows = yield* all<{ t: string }>(
    `SELECT DISTINCT s."t" FROM unnest(?::text[], ?::text[], ?::boolean[]) AS s("t", "r", "sch")
     WHERE NOT EXISTS (SELECT 1 FROM "FitRun" f WHERE f."trigger" = s."t" AND f."status" = 'running' AND f."leaseUntil" > ?::timestamp(3))
       AND ((NOT s."sch" AND EXISTS (SELECT 1 FROM "PendingRow" p WHERE p."trigger" = s."t" AND p."route" = s."r" AND p."held" = false AND p."fitRunId" IS NULL))
         OR EXISTS (SELECT 1 FROM "FitRun" q WHERE q."trigger" = s."t" AND q."status" = 'queued'))`,
    [slots.map((s) => s.trigger), slots.map((s) => s.route), slots.map((s) => s.scheduled), now],
  );
  return new Set(rows.map((r) => r.t));
}
