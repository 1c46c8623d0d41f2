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
import { all, get, run, toJson, type Database, type Provider, type Query } from "@motion/db";
import type { App } from "./app.ts";
import { recordAudit } from "./audit-log.ts";
import type { Manifest } from "./state.ts";

/** Shared by blob-inserting commits, exclusive for the GC (any constant distinct from others). */
export const BLOB_GC_LOCK_KEY = 7_140_513;

export function* lockBlobsShared(provider: Provider): Query<void> {
  if (provider === "postgresql") yield* get(`SELECT pg_advisory_xact_lock_shared(?::bigint)`, [BLOB_GC_LOCK_KEY]);
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

/**
 * Collects the versions of `trigger` beyond its `keepVersions` newest, `batchSize` versions per
 * transaction, one audit entry per batch (in that batch's transaction).
 */
export async function collectState(db: Database, trigger: string, keepVersions: number, options: StateGcOptions): Promise<StateGcReport> {
  const batchSize = options.batchSize ?? 50;
  const provider = db.provider;
  const report: StateGcReport = { trigger, keepVersions, versions: 0, blobs: 0, bytes: 0, batches: 0 };
  for (;;) {
    const batch = await db.tx(function* () {
      if (provider === "postgresql") {
        // Rollbacks and commits lock these rows FOR UPDATE: a rollback either commits before
        // (and its version is protected below) or waits for this batch (and then sees the
        // version collected). Same order as commits (alias rows by name, then the blob lock): no
        // deadlock. ORDER BY matters: without it rows lock in heap order, which alias updates
        // shuffle, and a commit locking them by name deadlocked with this (CI run).
        yield* all(`SELECT "name" FROM "StateAlias" WHERE "trigger" = ? ORDER BY "name" FOR SHARE`, [trigger]);
        yield* get(`SELECT pg_advisory_xact_lock(?::bigint)`, [BLOB_GC_LOCK_KEY]);
      }
      // The N newest versions and every aliased version are protected; read after the lock.
      const doomed = yield* all<{ version: unknown; entries: unknown }>(
        `SELECT "version", "entries" FROM "StateVersion" v WHERE "trigger" = ? AND "collectedAt" IS NULL
           AND "version" NOT IN (SELECT "version" FROM "StateVersion" WHERE "trigger" = ? ORDER BY "version" DESC LIMIT ?)
           AND "version" NOT IN (SELECT "version" FROM "StateAlias" WHERE "trigger" = ?)
         ORDER BY "version" LIMIT ?`,
        [trigger, trigger, keepVersions, trigger, batchSize],
      );
      if (!doomed.length) return null;
      const versions = doomed.map((d) => Number(d.version));
      const candidates = new Set<string>();
      for (const d of doomed) for (const e of Object.values(toJson<Manifest>(d.entries))) candidates.add(e.checksum);
      // Live: referenced by any not-collected version outside this batch, of any trigger.
      const marks = versions.map(() => "?").join(", ");
      const live = yield* all<{ entries: unknown }>(
        `SELECT "entries" FROM "StateVersion" WHERE "collectedAt" IS NULL AND NOT ("trigger" = ? AND "version" IN (${marks}))`,
        [trigger, ...versions],
      );
      for (const l of live) for (const e of Object.values(toJson<Manifest>(l.entries))) candidates.delete(e.checksum);
      let blobs = 0;
      let bytes = 0;
      const ids = [...candidates];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const m = chunk.map(() => "?").join(", ");
        const sum = yield* get<{ n: unknown; bytes: unknown }>(`SELECT COUNT(*) AS "n", COALESCE(SUM("size"), 0) AS "bytes" FROM "StateBlob" WHERE "checksum" IN (${m})`, chunk);
        blobs += Number(sum?.n ?? 0);
        bytes += Number(sum?.bytes ?? 0);
        yield* run(`DELETE FROM "StateBlob" WHERE "checksum" IN (${m})`, chunk);
      }
      const now = new Date();
      yield* run(`UPDATE "StateVersion" SET "collectedAt" = ? WHERE "trigger" = ? AND "version" IN (${marks})`, [now, trigger, ...versions]);
      yield* recordAudit({
        actor: options.actor, action: "state.gc", target: trigger, reason: options.reason ?? `keepVersions: ${keepVersions}`,
        data: { versions, blobs, bytes }, at: now,
      });
      return { versions: versions.length, blobs, bytes };
    });
    if (!batch) break;
    report.batches++;
    report.versions += batch.versions;
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
