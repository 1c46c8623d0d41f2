// Applies prisma/migrations/<provider> to a database through Prisma's WASM schema engine and a
// driver adapter: the equivalent of `prisma migrate deploy`, which cannot run here (it needs a
// native engine download). Prisma's `_prisma_migrations` table is kept, so both stay
// interchangeable. Already-applied migrations are skipped; a second call applies nothing.
import { existsSync, readdirSync } from "node:fs";
import Database from "better-sqlite3";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { readMigrationList } from "./migrations-dir.ts";
import { withSchemaEngine } from "./schema-engine.ts";

export type DatabaseProvider = "sqlite" | "postgresql";

export interface MigrateOptions {
  /** Folder holding `<timestamp>_<name>/migration.sql`; default: repo `prisma/migrations/<provider>`. */
  migrationsDir?: string;
  /** Receives the schema engine's log lines. */
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call (empty when the database was up to date). */
  applied: string[];
}

/** Advisory lock key serialising concurrent `migrate()` calls on one PostgreSQL database.
 *  Deliberately not Prisma's own key (72707369), which the engine may take itself. */
export const MIGRATE_LOCK_KEY = 7_270_736_901;

export function providerFromUrl(url: string): DatabaseProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`unsupported database URL (expected file:, postgres:// or postgresql://): ${redact(url)}`);
}

/** The repo's migrations folder for `provider`, found relative to this source file. */
export function defaultMigrationsDir(provider: DatabaseProvider): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, "../../../prisma/migrations", provider);
}

/** `file:./a.db`, `file:/abs/a.db`, `file:///abs/a.db` (query string ignored) -> absolute path. */
export function sqlitePathFromUrl(url: string): string {
  let rest = url.slice("file:".length).replace(/[?#].*$/, "");
  if (rest.startsWith("//")) rest = fileURLToPath(`file:${rest}`);
  if (!rest || rest === ":memory:") throw new Error("migrate() needs a SQLite file, not an in-memory database");
  return path.resolve(rest);
}

export async function migrate(url: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const provider = providerFromUrl(url);
  const dir = options.migrationsDir ?? defaultMigrationsDir(provider);
  if (!existsSync(dir)) throw new Error(`migrations folder not found: ${dir}`);
  const wanted = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name);

  if (provider === "sqlite") {
    const file = sqlitePathFromUrl(url);
    // Every open checks first, cheaply, without the schema engine (which would contend for
    // the file's lock with processes already running on it).
    if (existsSync(file) && sqliteHasAll(file, wanted)) return { applied: [] };
    const migrationsList = await readMigrationList(dir);
    await mkdir(path.dirname(file), { recursive: true });
    if (!existsSync(file)) createIncrementalVacuumFile(file);
    // `timeout` is better-sqlite3's busy timeout: a second process waits instead of failing.
    const factory = new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 15_000 }, { timestampFormat: "unixepoch-ms" });
    return apply(factory, migrationsList, options);
  }

  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  // A dedicated connection holds the advisory lock for the whole run; the engine works through
  // its own pool. Lock waiters block until the holder finishes, then find nothing to apply.
  const lockClient = new pg.Client({ connectionString: url });
  await lockClient.connect();
  if (await postgresHasAll(lockClient, wanted, schema)) {
    await lockClient.end();
    return { applied: [] };
  }
  const migrationsList = await readMigrationList(dir);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await lockClient.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK_KEY]);
    const factory = new PrismaPg(pool, schema ? { schema } : undefined);
    return await apply(factory, migrationsList, options);
  } finally {
    await lockClient.query("SELECT pg_advisory_unlock($1)", [MIGRATE_LOCK_KEY]).catch(() => {});
    await lockClient.end().catch(() => {});
    await pool.end().catch(() => {});
  }
}

async function apply(
  factory: SqlMigrationAwareDriverAdapterFactory,
  migrationsList: Awaited<ReturnType<typeof readMigrationList>>,
  options: MigrateOptions,
): Promise<MigrateResult> {
  const output = await withSchemaEngine(
    factory,
    (engine) => engine.applyMigrations({ migrationsList, filters: { externalTables: [], externalEnums: [] } }),
    options.log ? { log: options.log } : {},
  );
  return { applied: output.appliedMigrationNames };
}

/**
 * A new SQLite file gets auto_vacuum = INCREMENTAL before its first table (the mode cannot be
 * switched later without a full VACUUM), so retention can hand freed pages back to the disk.
 */
function createIncrementalVacuumFile(file: string): void {
  const db = new Database(file, { timeout: 15_000 });
  try {
    db.pragma("auto_vacuum = INCREMENTAL");
    db.exec("VACUUM");
  } finally {
    db.close();
  }
}

const APPLIED = `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;

function sqliteHasAll(file: string, wanted: string[]): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 15_000 });
  try {
    const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
    if (!table) return false;
    const applied = new Set((db.prepare(APPLIED).all() as { migration_name: string }[]).map((r) => r.migration_name));
    return wanted.every((name) => applied.has(name));
  } finally {
    db.close();
  }
}

async function postgresHasAll(client: pg.Client, wanted: string[], schema: string | undefined): Promise<boolean> {
  const table = schema ? `"${schema.replace(/"/g, "")}"."_prisma_migrations"` : `"_prisma_migrations"`;
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [schema ? `${schema}._prisma_migrations` : "_prisma_migrations"]);
  if (!exists.rows[0]?.t) return false;
  const result = await client.query(APPLIED.replace(`"_prisma_migrations"`, table));
  const applied = new Set(result.rows.map((r: { migration_name: string }) => r.migration_name));
  return wanted.every((name) => applied.has(name));
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
