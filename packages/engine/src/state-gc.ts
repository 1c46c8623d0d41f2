// State GC: a trigger's versions beyond its `retention.keepVersions` newest (never one an
// alias points at: active, latest, a pinned or candidate version) keep their history row but
// lose the blobs no kept version uses. Blobs are shared by checksum across versions and
// triggers, so a blob goes only when no uncollected version of any trigger references it.
//
// Commits and alias moves must not race the GC: on PostgreSQL they hold a transaction-level
// advisory lock shared (many commit at once) and the GC holds it exclusively, so a commit that
// reuses a blob either sees it deleted (and inserts it again: its INSERT ... ON CONFLICT runs
// after the GC's delete) or keeps it alive (its version is uncollected when the GC looks).
// SQLite has one writer: every transaction is already serialised.
import { all, run, type Database, type Provider, type Query } from "@motion/db";
import { recordAudit } from "./audit-log.ts";

/** Any constant works; commits take it shared, the GC exclusive. */
export const STATE_GC_LOCK_KEY = 7_140_513;

/** In a commit's (or alias move's) transaction, on PostgreSQL: wait for a running GC batch. */
export function* holdStateGcShared(provider: Provider): Query<void> {
  if (provider === "postgresql") yield* all(`SELECT pg_advisory_xact_lock_shared(${STATE_GC_LOCK_KEY})`);
}

export interface StateGcReport {
  trigger: string;
  keepVersions: number;
  /** Versions whose values were collected by this run. */
  versions: number[];
  /** Blobs deleted and their bytes. */
  blobs: number;
  bytes: number;
  batches: number;
}

/** Versions collected per transaction: each batch holds the writer (and the lock) briefly. */
const BATCH_VERSIONS = 50;

function checksumsOf(entries: unknown): string[] {
  const manifest = (typeof entries === "string" ? JSON.parse(entries) : entries) as Record<string, { checksum: string }>;
  return Object.values(manifest ?? {}).map((e) => e.checksum);
}

/** One batch: mark up to BATCH_VERSIONS collectable versions and delete the blobs only they used. */
function* collectBatch(provider: Provider, trigger: string, keep: number, actor: string, now: Date): Query<{ versions: number[]; blobs: number; bytes: number }> {
  const pg = provider === "postgresql";
  if (pg) yield* all(`SELECT pg_advisory_xact_lock(${STATE_GC_LOCK_KEY})`);
  const aliased = new Set((yield* all<{ version: unknown }>(`SELECT "version" FROM "StateAlias" WHERE "trigger" = ?`, [trigger])).map((a) => Number(a.version)));
  const live = yield* all<{ version: unknown; entries: unknown }>(
    `SELECT "version", "entries" FROM "StateVersion" WHERE "trigger" = ? AND "collectedAt" IS NULL ORDER BY "version" DESC`,
    [trigger],
  );
  // The newest `keep` versions and every aliased one stay; the rest go, oldest first.
  const doomed = live.slice(keep).filter((v) => !aliased.has(Number(v.version))).reverse().slice(0, BATCH_VERSIONS);
  if (doomed.length === 0) return { versions: [], blobs: 0, bytes: 0 };
  const versions = doomed.map((v) => Number(v.version));
  const marks = versions.map(() => "?").join(", ");
  yield* run(`UPDATE "StateVersion" SET "collectedAt" = ? WHERE "trigger" = ? AND "version" IN (${marks})`, [now, trigger, ...versions]);
  const candidates = [...new Set(doomed.flatMap((v) => checksumsOf(v.entries)))];
  let blobs = 0;
  let bytes = 0;
  if (candidates.length) {
    const c = candidates.map(() => "?").join(", ");
    // Still used by an uncollected version of any trigger: kept.
    const used = pg
      ? yield* all<{ checksum: string }>(
          `SELECT DISTINCT e.value ->> 'checksum' AS "checksum" FROM "StateVersion" v, jsonb_each(v."entries") e WHERE v."collectedAt" IS NULL AND e.value ->> 'checksum' IN (${c})`,
          candidates,
        )
      : yield* all<{ checksum: string }>(
          `SELECT DISTINCT json_extract(e.value, '$.checksum') AS "checksum" FROM "StateVersion" v, json_each(v."entries") e WHERE v."collectedAt" IS NULL AND json_extract(e.value, '$.checksum') IN (${c})`,
          candidates,
        );
    const keepSet = new Set(used.map((u) => u.checksum));
    const gone = candidates.filter((x) => !keepSet.has(x));
    if (gone.length) {
      const deleted = yield* all<{ size: unknown }>(`DELETE FROM "StateBlob" WHERE "checksum" IN (${gone.map(() => "?").join(", ")}) RETURNING "size"`, gone);
      blobs = deleted.length;
      bytes = deleted.reduce((sum, d) => sum + Number(d.size), 0);
    }
  }
  yield* recordAudit({ actor, action: "state.gc", target: trigger, reason: `retention: keep ${keep} versions`, data: { versions, blobs, bytes }, at: now });
  return { versions, blobs, bytes };
}

/** Collects a trigger's versions beyond `keep`, batch by batch, until none is left. */
export async function collectState(db: Database, trigger: string, keep: number, actor: string, stopped: () => boolean = () => false): Promise<StateGcReport> {
  const report: StateGcReport = { trigger, keepVersions: keep, versions: [], blobs: 0, bytes: 0, batches: 0 };
  while (!stopped()) {
    const now = new Date();
    const batch = await db.tx(() => collectBatch(db.provider, trigger, keep, actor, now));
    if (batch.versions.length === 0) break;
    report.versions.push(...batch.versions);
    report.blobs += batch.blobs;
    report.bytes += batch.bytes;
    report.batches++;
    // On SQLite a transaction resolves without I/O: give waiting answers a turn between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return report;
}
