import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultMigrationsDir, migrate, providerFromUrl, sqlitePathFromUrl } from "../src/migrate.ts";
import { createThrowawayDatabase, requirePostgres, type ThrowawayDatabase } from "../test-support/services.ts";

const EXPECTED_TABLES = ["Row", "Inference", "Feedback", "FitRun", "StateVersion", "_prisma_migrations"];

describe("migrate() helpers", () => {
  it("maps URLs to providers and paths", () => {
    expect(providerFromUrl("file:./x.db")).toBe("sqlite");
    expect(providerFromUrl("postgres://u@h/db")).toBe("postgresql");
    expect(providerFromUrl("postgresql://u@h/db")).toBe("postgresql");
    expect(() => providerFromUrl("mysql://u@h/db")).toThrow(/unsupported/);
    expect(sqlitePathFromUrl("file:/tmp/a.db?mode=rwc")).toBe("/tmp/a.db");
    expect(sqlitePathFromUrl("file:///tmp/b.db")).toBe("/tmp/b.db");
    expect(sqlitePathFromUrl("file:./c.db")).toBe(path.resolve("c.db"));
    expect(defaultMigrationsDir("sqlite")).toMatch(/prisma[/\\]migrations[/\\]sqlite$/);
  });
});

describe("migrate() on SQLite", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "motion-db-migrate-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("applies the migrations to a fresh file (creating its folder), then nothing", async () => {
    const file = path.join(dir, "nested", "deeper", "motion.db");
    const first = await migrate(`file:${file}`);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.applied[0]).toMatch(/^\d{14}_init$/);

    const db = new Database(file, { readonly: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      );
      expect(tables).toEqual(expect.arrayContaining(EXPECTED_TABLES));
      const applied = db
        .prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name")
        .all() as { migration_name: string }[];
      expect(applied.map((r) => r.migration_name)).toEqual(first.applied);
    } finally {
      db.close();
    }

    const second = await migrate(`file:${file}`);
    expect(second.applied).toEqual([]);
  });

  it("accepts an explicit migrationsDir", async () => {
    const file = path.join(dir, "explicit.db");
    const result = await migrate(`file:${file}`, { migrationsDir: defaultMigrationsDir("sqlite") });
    expect(result.applied.length).toBeGreaterThan(0);
  });

  it("fails clearly when the migrations folder is missing", async () => {
    await expect(migrate(`file:${path.join(dir, "x.db")}`, { migrationsDir: path.join(dir, "nope") })).rejects.toThrow(
      /migrations folder not found/,
    );
  });
});

// Resolved at collection time so a missing server skips (or fails, when required) loudly.
const adminUrl = await requirePostgres();

describe.skipIf(!adminUrl)("migrate() on PostgreSQL", () => {
  let database: ThrowawayDatabase;
  beforeAll(async () => {
    database = await createThrowawayDatabase(adminUrl!, "motion_db_migrate");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("applies the migrations once even when called concurrently, then nothing", async () => {
    const results = await Promise.all([migrate(database.url), migrate(database.url), migrate(database.url)]);
    const applied = results.flatMap((r) => r.applied);
    expect(applied.length).toBeGreaterThan(0);
    expect(new Set(applied).size).toBe(applied.length);
    expect(applied[0]).toMatch(/^\d{14}_init$/);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
      const history = await client.query<{ migration_name: string }>(
        "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
      );
      expect(history.rows.map((r) => r.migration_name).sort()).toEqual([...applied].sort());
    } finally {
      await client.end();
    }

    expect((await migrate(database.url)).applied).toEqual([]);
  });
});
