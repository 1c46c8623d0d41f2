import { all, execute, insertRows, newId, selectAll, sql, storage, type Provider, type Query, type SelectQueryBuilder, type StorageDB } from "@motion/db";
import { manifestChecksum, manifestSize } from "./state.ts";
import { insertBlobs, nextManifest, type EncodedPatch, type VersionInfo } from "./state-store.ts";
import { supersede } from "./fit-store.ts";
import type { FitLogs } from "./fit-log.ts";

export interface FitCommit {
  runId: string;
  trigger: string;
  base: VersionInfo;
  patch: EncodedPatch;
  metrics: Record<string, number>;
  /** What the fit logged; null (stored as NULL) for a quiet fit. */
  logs: FitLogs | null;
  durationMs: number;
  /**
   * A scheduled run whose fit returned nothing: recorded as succeeded with no version (a
   * periodic poll that found nothing new must not add a version per tick).
   */
  unchanged?: boolean;
}

export type CommitOutcome =
  | { kind: "committed"; version: VersionInfo; activeMoved: boolean }
  | { kind: "unchanged" }
  | { kind: "duplicate" }
  | { kind: "superseded" }
  | { kind: "lost" };

/** Runs (still ours?) and each trigger's newest version number, in one read. */
function seenQuery(runIds: string[], triggers: string[]) {
  type Out = { k: string; id: string; status: string | null; leaseOwner: string | null; v: unknown };
  const runs = storage.selectFrom("FitRun").select([sql.lit("run").as("k"), "id", "status", "leaseOwner", sql<unknown>`NULL`.as("v")]).where("id", "in", runIds);
  const newest = storage.selectFrom("StateVersion").select((eb) => [sql.lit("max").as("k"), "trigger", sql<null>`NULL`.as("status"), sql<null>`NULL`.as("leaseOwner"), eb.fn.max("version").as("v")])
    .where("trigger", "in", triggers).groupBy("trigger");
  // Same row shape; only how each column is computed differs.
  return (runs as unknown as SelectQueryBuilder<StorageDB, "FitRun", Out>).unionAll(newest as unknown as SelectQueryBuilder<StorageDB, "FitRun", Out>);
}

/**
 * v+1 = v ⊕ patch for each fit, atomically with its run's record and the consumption of its
 * rows; many fits in one transaction, with set-based statements, so a worker's round of fits
 * costs one commit. Fits of one trigger (a chain) are given in order: each builds on the
 * version the one before it produces here, so they commit as consecutive versions, each
 * with its own parent link, alias events and run record. Idempotent per run: a redelivered
 * batch whose run already succeeded commits nothing; a run whose base is no longer active is
 * superseded (and so is every later fit of its chain, whose base it was).
 */
export function* commitFits(provider: Provider, owner: string, now: Date, fits: readonly FitCommit[]): Query<CommitOutcome[]> {
  const pg = provider === "postgresql";
  const triggers = [...new Set(fits.map((f) => f.trigger))].sort();
  // Row locks in one order (trigger, name), so two committing workers cannot deadlock.
  const aliasQuery = storage.selectFrom("StateAlias").select(["trigger", "name", "version", "pinned"]).where("trigger", "in", triggers).orderBy("trigger").orderBy("name");
  const aliasRows = yield* selectAll(pg ? aliasQuery.forUpdate() : aliasQuery);
  // Read after the locks: the runs (still ours?) and each trigger's newest version number.
  const runIds = fits.map((f) => f.runId);
  const seen = yield* selectAll(seenQuery(runIds, triggers));
  const runs = seen.filter((r) => r.k === "run");
  const next = new Map(seen.filter((r) => r.k === "max").map((m) => [m.id, Number(m.v ?? 0)]));
  const alias = (trigger: string, name: string) => aliasRows.find((a) => a.trigger === trigger && a.name === name);

  const outcomes: CommitOutcome[] = [];
  const done: (Done & { latestFrom: number; activeFrom: number | null })[] = [];
  const unchanged: FitCommit[] = [];
  for (const fit of fits) {
    const r = runs.find((x) => x.id === fit.runId);
    if (!r || r.status === "succeeded") {
      outcomes.push({ kind: "duplicate" });
      continue;
    }
    if (r.status !== "running" || r.leaseOwner !== owner) {
      outcomes.push({ kind: "lost" });
      continue;
    }
    const active = alias(fit.trigger, "active");
    const latest = alias(fit.trigger, "latest");
    if (!active || !latest || Number(active.version) !== fit.base.version) {
      yield* supersede(fit.runId, now);
      outcomes.push({ kind: "superseded" });
      continue;
    }
    if (fit.unchanged) {
      unchanged.push(fit);
      outcomes.push({ kind: "unchanged" });
      continue;
    }
    const pinned = active.pinned === true || active.pinned === 1;
    const number = (next.get(fit.trigger) ?? 0) + 1;
    next.set(fit.trigger, number);
    const manifest = nextManifest(fit.base.manifest, fit.patch);
    const version: VersionInfo = {
      trigger: fit.trigger, version: number, parent: fit.base.version, fitRunId: fit.runId, manifest,
      size: manifestSize(manifest), checksum: manifestChecksum(manifest), createdAt: now, collectedAt: null,
      // A fit keeps its base's shape: the schema is the base's (migrations make the next one).
      schema: fit.base.schema,
    };
    done.push({ fit, version, latestFrom: Number(latest.version), activeFrom: pinned ? null : Number(active.version) });
    // The next fit of the same trigger here (the next batch of a chain) builds on this one.
    latest.version = number;
    if (!pinned) active.version = number;
    outcomes.push({ kind: "committed", version, activeMoved: !pinned });
  }
  for (const fit of unchanged) {
    yield* execute(storage.deleteFrom("PendingRow").where("fitRunId", "=", fit.runId));
    yield* execute(succeeded(fit, null, now));
  }
  if (done.length === 0) return outcomes;

  yield* insertBlobs(done.map((d) => d.fit.patch), now, provider);
  const moves = done.flatMap((d) => [
    { trigger: d.fit.trigger, alias: "latest", from: d.latestFrom, to: d.version.version, actor: `fit:${d.fit.runId}` },
    ...(d.activeFrom === null ? [] : [{ trigger: d.fit.trigger, alias: "active", from: d.activeFrom, to: d.version.version, actor: `fit:${d.fit.runId}` }]),
  ]);
  if (pg) yield* writePostgres(now, done, moves);
  else yield* writeSqlite(now, done, moves);
  return outcomes;
}

interface Done {
  fit: FitCommit;
  version: VersionInfo;
}

interface Move {
  trigger: string;
  alias: string;
  from: number;
  to: number;
  actor: string;
}

/** The run record of a fit that succeeded (producing `version`, or nothing). */
function succeeded(fit: FitCommit, version: number | null, now: Date) {
  return storage.updateTable("FitRun").set({
    status: "succeeded", producedVersion: version, metrics: JSON.stringify(fit.metrics), baseVersion: fit.base.version, finishedAt: now, durationMs: fit.durationMs,
    logs: fit.logs ? JSON.stringify(fit.logs) : null, error: null, errorStack: null, leaseOwner: null, leaseUntil: null,
  }).where("id", "=", fit.runId);
}

/**
 * Every write of a round's commits in one statement: versions, alias moves and their events,
 * consumed rows, run records and the broadcast. Each part is set-based over the round's fits.
 */
function* writePostgres(now: Date, done: readonly Done[], moves: readonly Move[]): Query<void> {
  const ids = done.map((d) => d.fit.runId);
  // One UPDATE may change a row once: a chain's moves of one alias go to its last version
  // (every move still gets its event).
  const final = new Map<string, Move>();
  for (const m of moves) final.set(`${m.trigger}\u0000${m.alias}`, m);
  const pointers = [...final.values()];
  // SQL: five set-based writes and the broadcast over unnest'ed arrays in one round trip, which
  // Kysely cannot type; batched commits are part of what took P6 scale-out fits from 0.12 to
  // 0.91-1.09 of raw BullMQ jobs (docs/operations.md).
  yield* all(
    `WITH "versions" AS (
       INSERT INTO "StateVersion" ("trigger", "version", "parent", "fitRunId", "entries", "size", "checksum", "createdAt", "schema")
       SELECT x."t", x."v", x."p", x."r", x."e"::jsonb, x."s", x."c", ?::timestamp(3), x."sv"
       FROM unnest(?::text[], ?::int[], ?::int[], ?::text[], ?::text[], ?::int[], ?::text[], ?::int[]) AS x("t", "v", "p", "r", "e", "s", "c", "sv") RETURNING 1
     ), "aliases" AS (
       UPDATE "StateAlias" a SET "version" = m."v", "pinned" = false, "updatedAt" = ?::timestamp(3)
       FROM unnest(?::text[], ?::text[], ?::int[]) AS m("t", "n", "v") WHERE a."trigger" = m."t" AND a."name" = m."n" RETURNING 1
     ), "events" AS (
       INSERT INTO "AliasEvent" ("id", "trigger", "alias", "fromVersion", "toVersion", "actor", "reason", "createdAt")
       SELECT x."i", x."t", x."n", x."f", x."v", x."a", NULL, ?::timestamp(3)
       FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::text[]) AS x("i", "t", "n", "f", "v", "a") RETURNING 1
     ), "consumed" AS (
       DELETE FROM "PendingRow" WHERE "fitRunId" = ANY(?::text[]) RETURNING 1
     ), "runs" AS (
       UPDATE "FitRun" f SET "status" = 'succeeded', "producedVersion" = d."v", "metrics" = d."m"::jsonb, "baseVersion" = d."b", "finishedAt" = ?::timestamp(3),
         "durationMs" = d."ms", "logs" = d."l"::jsonb, "error" = NULL, "errorStack" = NULL, "leaseOwner" = NULL, "leaseUntil" = NULL
       FROM unnest(?::text[], ?::int[], ?::text[], ?::int[], ?::float8[], ?::text[]) AS d("id", "v", "m", "b", "ms", "l") WHERE f."id" = d."id" RETURNING 1
     )
     SELECT pg_notify('motion_state', t) FROM unnest(?::text[]) AS t`,
    [
      now,
      done.map((d) => d.version.trigger), done.map((d) => d.version.version), done.map((d) => d.version.parent), ids,
      done.map((d) => JSON.stringify(d.version.manifest)), done.map((d) => d.version.size), done.map((d) => d.version.checksum), done.map((d) => d.version.schema),
      now, pointers.map((m) => m.trigger), pointers.map((m) => m.alias), pointers.map((m) => m.to),
      now, moves.map(() => newId(now.getTime())), moves.map((m) => m.trigger), moves.map((m) => m.alias), moves.map((m) => m.from), moves.map((m) => m.to), moves.map((m) => m.actor),
      ids,
      now, ids, done.map((d) => d.version.version), done.map((d) => JSON.stringify(d.fit.metrics)), done.map((d) => d.fit.base.version), done.map((d) => d.fit.durationMs), done.map((d) => (d.fit.logs ? JSON.stringify(d.fit.logs) : null)),
      [...new Set(done.map((d) => d.fit.trigger))],
    ],
  );
}

function* writeSqlite(now: Date, done: readonly Done[], moves: readonly Move[]): Query<void> {
  yield* insertRows(
    "StateVersion",
    ["trigger", "version", "parent", "fitRunId", "entries", "size", "checksum", "createdAt", "schema"],
    done.map(({ version: v }) => [v.trigger, v.version, v.parent, v.fitRunId, JSON.stringify(v.manifest), v.size, v.checksum, now, v.schema]),
  );
  for (const m of moves) {
    yield* execute(storage.updateTable("StateAlias").set({ version: m.to, pinned: false, updatedAt: now }).where("trigger", "=", m.trigger).where("name", "=", m.alias));
  }
  yield* insertRows(
    "AliasEvent",
    ["id", "trigger", "alias", "fromVersion", "toVersion", "actor", "reason", "createdAt"],
    moves.map((m) => [newId(now.getTime()), m.trigger, m.alias, m.from, m.to, m.actor, null, now]),
  );
  yield* execute(storage.deleteFrom("PendingRow").where("fitRunId", "in", done.map((d) => d.fit.runId)));
  for (const d of done) yield* execute(succeeded(d.fit, d.version.version, now));
}
