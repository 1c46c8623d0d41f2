// The databases' own functions and commands that storage code calls (no table is involved, so
// there is nothing for the typed builder to check): notifications, advisory locks, ANALYZE and
// vacuum. The pg* calls run only on PostgreSQL; on SQLite the single writer serialises what
// the locks guard.
import { all, get, run, type Query } from "./query.ts";

/** `pg_notify(channel, payload)`, delivered when the caller's transaction commits. */
export function* pgNotify(channel: string, payload: string): Query<void> {
  yield* all(`SELECT pg_notify(?, ?)`, [channel, payload]);
}

/** Waits for the transaction-scoped advisory lock `key` (exclusive, or shared). */
export function* pgAdvisoryXactLock(key: bigint | number | string, mode: "exclusive" | "shared" = "exclusive"): Query<void> {
  yield* get(mode === "shared" ? `SELECT pg_advisory_xact_lock_shared(?::bigint)` : `SELECT pg_advisory_xact_lock(?::bigint)`, [String(key)]);
}

/** Takes the transaction-scoped advisory lock `key` if it is free; whether it did. */
export function* pgTryAdvisoryXactLock(key: bigint | number | string): Query<boolean> {
  const row = yield* get<{ ok: unknown }>(`SELECT pg_try_advisory_xact_lock(?::bigint) AS "ok"`, [String(key)]);
  return row?.ok === true;
}

/**
 * Of `tables` in the current schema, those of at least 1 MB whose file holds more than twice the
 * pages their live tuples need (plus 128): what a purge left for VACUUM to give back.
 */
export function* pgBloatedTables(tables: readonly string[]): Query<string[]> {
  if (tables.length === 0) return [];
  const rows = yield* all<{ relname: string }>(
    `SELECT c."relname" FROM "pg_class" c JOIN "pg_namespace" n ON n."oid" = c."relnamespace" ` +
      `WHERE n."nspname" = current_schema() AND c."relkind" = 'r' AND c."relname" IN (${tables.map(() => "?").join(", ")}) ` +
      `AND pg_relation_size(c."oid") >= 1048576 AND (c."reltuples" < 0 OR pg_relation_size(c."oid") / current_setting('block_size')::int > 2 * c."relpages" + 128) ORDER BY c."relname"`,
    [...tables],
  );
  return rows.map((r) => r.relname);
}

/** A round trip that touches no table (a liveness check). */
export function* ping(): Query<void> {
  yield* get(`SELECT 1 AS "one"`);
}

/**
 * ANALYZE `tables` (names checked against the schema's tables by the caller's types), giving up
 * after `lockTimeout` behind a lock (an autovacuum of the same table will analyze it anyway).
 */
export function* pgAnalyze(tables: readonly string[], lockTimeout = "2s"): Query<void> {
  if (tables.length === 0) return;
  if (!/^\d+(ms|s)$/.test(lockTimeout)) throw new RangeError(`bad lock timeout ${lockTimeout}`);
  yield* run(`SET LOCAL lock_timeout = '${lockTimeout}'`);
  yield* run(`ANALYZE ${tables.map((t) => `"${t.replace(/"/g, "")}"`).join(", ")}`);
}

/** SQLite: gives back up to `pages` free pages of an auto_vacuum = INCREMENTAL file. */
export function* sqliteIncrementalVacuum(pages: number): Query<void> {
  yield* run(`PRAGMA incremental_vacuum(${Math.max(0, Math.floor(pages))})`);
}

/** SQLite: the value of a read-only pragma (e.g. `auto_vacuum`, `freelist_count`). */
export function* sqlitePragma(name: "auto_vacuum" | "freelist_count" | "page_count"): Query<number> {
  const row = yield* get<Record<string, unknown>>(`PRAGMA ${name}`);
  return Number(row?.[name] ?? 0);
}
