// State garbage collection (a trigger's `retention: { keepVersions }`): versions beyond the N
// newest, and not pointed at by any alias (active, latest, pinned, or any future alias such
// as a candidate), keep their manifest row (history stays readable) but the blobs that no
// kept version of any trigger references are deleted, and the version is marked collected.
//
// Race with commits: blobs are shared by checksum and a commit inserts them with
// ON CONFLICT DO NOTHING, so a commit may re-reference a blob the GC is about to delete.
// On PostgreSQL every transaction that inserts blobs takes a transaction-level advisory lock
// SHARED (insertBlobs) and the GC takes it EXCLUSIVE before it reads which blobs are live:
// commits never wait for each other, and once the GC holds the lock every commit that could
// re-reference a blob has committed and is visible to its READ COMMITTED reads. SQLite has a
// single writer, so the GC transaction alone is enough.
import { execute, pgAdvisoryXactLock, selectAll, selectFirst, sql, storage, toJson, type Database, type Provider, type Query } from "@motion/db";
import type { App } from "./app.ts";
import { recordAudit } from "./audit-log.ts";
import type { Manifest } from "./state.ts";

/** Shared by blob-inserting commits, exclusive for the GC (any constant distinct from others). */
export const BLOB_GC_LOCK_KEY = 7_140_513;

export function* lockBlobsShared(provider: Provider): Query<void> {
  if (provider === "postgresql") yield* pgAdvisoryXactLock(BLOB_GC_LOCK_KEY, "shared");
}

export interface StateGcReport {
  trigger: string;
  keepVersions: number;
  /** Versions marked collected by this run. */
  versions: number;
  blobs: number;
  bytes: number;
  batches: number;
}

export interface StateGcOptions {
  actor: string;
  reason?: string;
  /** Versions per transaction (default 50). */
  batchSize?: number;
}

/** Manifests read per page when the GC builds its reference counts (before any lock). */
const SCAN_PAGE = 500;

type VersionRow = { trigger: string; version: unknown; entries: unknown };

function checksumsOf(entries: unknown): Set<string> {
  return new Set(Object.values(toJson<Manifest>(entries)).map((e) => e.checksum));
}

/**
 * How many not-collected versions (of any trigger) reference each blob a collection may free,
 * and the newest version of each trigger it has counted. Built before any lock; under the lock
 * only versions newer than these are read (see `collectState`).
 */
class References {
  readonly counts = new Map<string, number>();
  readonly newest = new Map<string, number>();

  constructor(private readonly watched: ReadonlySet<string>) {}

  add(row: VersionRow): void {
    const version = Number(row.version);
    if (version > (this.newest.get(row.trigger) ?? -1)) this.newest.set(row.trigger, version);
    for (const checksum of checksumsOf(row.entries)) {
      if (this.watched.has(checksum)) this.counts.set(checksum, (this.counts.get(checksum) ?? 0) + 1);
    }
  }

  /** The versions committed since they were counted (by trigger: version numbers only grow). */
  *readNewer(): Query<void> {
    const known = [...this.newest];
    let q = storage.selectFrom("StateVersion").select(["trigger", "version", "entries"]).where("collectedAt", "is", null);
    if (known.length) {
      q = q.where((eb) => eb.or([...known.map(([t, v]) => eb.and([eb("trigger", "=", t), eb("version", ">", v)])), eb("trigger", "not in", known.map(([t]) => t))]));
    }
    const rows = yield* selectAll(q);
    for (const r of rows) this.add(r);
  }
}

/** Versions of `trigger` the policy would collect now: beyond the N newest, not aliased. */
function* doomedVersions(trigger: string, keepVersions: number, limit: number, after = -1): Query<{ version: unknown; entries: unknown }[]> {
  return yield* selectAll(
    storage.selectFrom("StateVersion as v").select(["v.version", "v.entries"])
      .where("v.trigger", "=", trigger).where("v.collectedAt", "is", null).where("v.version", ">", after)
      .where("v.version", "not in", storage.selectFrom("StateVersion").select("version").where("trigger", "=", trigger).orderBy("version", "desc").limit(keepVersions))
      .where("v.version", "not in", storage.selectFrom("StateAlias").select("version").where("trigger", "=", trigger))
      .orderBy("v.version").limit(limit),
  );
}

/**
 * Collects the versions of `trigger` beyond its `keepVersions` newest, `batchSize` versions per
 * transaction, one audit entry per batch (in that batch's transaction).
 *
 * What is read under the lock stays small however many versions exist: before any lock, the
 * run lists the versions it may collect (the blobs they reference are the only ones it may
 * free) and counts, over every not-collected version of every trigger, the references to those
 * blobs, a page at a time on the read path. Versions are immutable and only ever added or
 * collected, so under the lock each batch reads just the versions committed since (by trigger,
 * newer version numbers) and frees a blob only when the batch's versions hold all of its
 * references. A version collected meanwhile by another process still counts: a blob may be
 * kept one run longer, never freed while referenced.
 */
export async function collectState(db: Database, trigger: string, keepVersions: number, options: StateGcOptions): Promise<StateGcReport> {
  const batchSize = options.batchSize ?? 50;
  const provider = db.provider;
  const report: StateGcReport = { trigger, keepVersions, versions: 0, blobs: 0, bytes: 0, batches: 0 };
  // The run's scope: versions collectable now. Ones that become collectable later wait for the next run.
  const scope = new Map<number, Set<string>>();
  for (let after = -1; ;) {
    const page = await db.readLong(() => doomedVersions(trigger, keepVersions, SCAN_PAGE, after));
    for (const d of page) scope.set(Number(d.version), checksumsOf(d.entries));
    if (page.length < SCAN_PAGE) break;
    after = Number(page.at(-1)!.version);
  }
  if (!scope.size) return report;
  const watched = new Set<string>();
  for (const checksums of scope.values()) for (const c of checksums) watched.add(c);
  const refs = new References(watched);
  for (let cursor: [string, number] | null = ["", -1]; cursor;) {
    const [t, v] = cursor;
    const page: VersionRow[] = await db.readLong(() => selectAll(
      storage.selectFrom("StateVersion").select(["trigger", "version", "entries"]).where("collectedAt", "is", null)
        .where((eb) => eb.or([eb("trigger", ">", t), eb.and([eb("trigger", "=", t), eb("version", ">", v)])]))
        .orderBy("trigger").orderBy("version").limit(SCAN_PAGE),
    ));
    for (const r of page) refs.add(r);
    cursor = page.length < SCAN_PAGE ? null : [page.at(-1)!.trigger, Number(page.at(-1)!.version)];
  }

  for (;;) {
    const batch = await db.tx(function* () {
      if (provider === "postgresql") {
        // Rollbacks and commits lock these rows FOR UPDATE: a rollback either commits before
        // (and its version is protected below) or waits for this batch (and then sees the
        // version collected). Same order as commits (alias rows by name, then the blob lock): no
        // deadlock. ORDER BY matters: without it rows lock in heap order, which alias updates
        // shuffle, and a commit locking them by name deadlocked with this (CI run).
        yield* selectAll(storage.selectFrom("StateAlias").select("name").where("trigger", "=", trigger).orderBy("name").forShare());
        yield* pgAdvisoryXactLock(BLOB_GC_LOCK_KEY);
      }
      // After the lock: every commit that could re-reference a blob is visible now.
      yield* refs.readNewer();
      // The N newest versions and every aliased version are protected; read after the lock.
      const doomed = (yield* doomedVersions(trigger, keepVersions, batchSize * 4)).filter((d) => scope.has(Number(d.version))).slice(0, batchSize);
      if (!doomed.length) return null;
      const versions = doomed.map((d) => Number(d.version));
      // Free a blob only when this batch holds every reference to it.
      const held = new Map<string, number>();
      for (const v of versions) for (const c of scope.get(v)!) held.set(c, (held.get(c) ?? 0) + 1);
      const ids = [...held].filter(([c, n]) => (refs.counts.get(c) ?? 0) <= n).map(([c]) => c);
      let blobs = 0;
      let bytes = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const sum = yield* selectFirst(
          storage.selectFrom("StateBlob").select((eb) => [eb.fn.countAll().as("n"), eb.fn.coalesce(eb.fn.sum("size"), sql.lit(0)).as("bytes")]).where("checksum", "in", chunk),
        );
        blobs += Number(sum?.n ?? 0);
        bytes += Number(sum?.bytes ?? 0);
        yield* execute(storage.deleteFrom("StateBlob").where("checksum", "in", chunk));
      }
      const now = new Date();
      yield* execute(storage.updateTable("StateVersion").set({ collectedAt: now }).where("trigger", "=", trigger).where("version", "in", versions));
      yield* recordAudit({
        actor: options.actor, action: "state.gc", target: trigger, reason: options.reason ?? `keepVersions: ${keepVersions}`,
        data: { versions, blobs, bytes }, at: now,
      });
      return { versions, held, blobs, bytes };
    });
    if (!batch) break;
    // Committed: these versions no longer reference anything.
    for (const v of batch.versions) scope.delete(v);
    for (const [c, n] of batch.held) refs.counts.set(c, (refs.counts.get(c) ?? 0) - n);
    report.batches++;
    report.versions += batch.versions.length;
    report.blobs += batch.blobs;
    report.bytes += batch.bytes;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return report;
}

/** Every trigger of the app that declares `retention.keepVersions`. */
export function statePolicies(app: App): { trigger: string; keepVersions: number }[] {
  return app.triggers.filter((t) => t.keepVersions !== null).map((t) => ({ trigger: t.name, keepVersions: t.keepVersions! }));
}
