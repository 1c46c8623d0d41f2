// The inference_minutes migration backfills the per-minute activity rollups from the
// inferences stored before it: per trigger and UTC minute, counts, errors, latency sums and
// the latency buckets the engine's latencyBucket would have written.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { all, migrate, openDatabase, run, toDate } from "../src/index.ts";
import { defaultMigrationsDir } from "../src/migrate.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("motion_perf_backfill");
const MIGRATION = "inference_minutes";

describe.each(factories)("inference_minutes backfill on %s", (_name, make) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("rolls stored inferences up per trigger and minute", async () => {
    const database: TestDatabase = await make();
    cleanups.push(() => database.cleanup());
    const migrations = defaultMigrationsDir(database.provider);
    const before = mkdtempSync(path.join(tmpdir(), "motion-backfill-minutes-"));
    cleanups.push(() => rmSync(before, { recursive: true, force: true }));
    const entries = readdirSync(migrations, { withFileTypes: true });
    const ours = entries.find((e) => e.isDirectory() && e.name.endsWith(MIGRATION))!.name;
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name >= ours) continue;
      cpSync(path.join(migrations, entry.name), path.join(before, entry.name), { recursive: true });
    }
    await migrate(database.url, { migrationsDir: before });
    const db = await openDatabase({ url: database.url, migrate: false });
    const minute = Date.UTC(2026, 11, 1, 10, 7);
    await db.tx(function* () {
      const inference = `INSERT INTO "Inference" ("id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion", "paramsHash", "inputHash", "latencyMs", "cached", "createdAt") VALUES (?, ?, 'q', ?, 'q', '1', ?, 0, 'p', '', ?, false, ?)`;
      const rows: [string, string, string | null, number, number][] = [
        // id, trigger, error, latency, ms after the minute's start
        ["i1", "t", null, 1, 0],
        ["i2", "t", "boom", 10, 59_999],
        ["i3", "t", null, 1, 60_000], // the next minute
        ["i4", "u", null, 0, 5], // below the floor: bucket of 0.0001 ms
      ];
      for (const [id, trigger, error, latency, offset] of rows) {
        yield* run(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt") VALUES (?, 'q', NULL, '{}', '2026-12-01', ?)`, [`r${id}`, new Date(minute + offset)]);
        yield* run(inference, [id, `r${id}`, trigger, error, latency, new Date(minute + offset)]);
      }
    });
    await db.close();

    await migrate(database.url);
    const after = await openDatabase({ url: database.url, migrate: false });
    cleanups.push(() => after.close());
    const minutes = await after.read(() => all<Record<string, unknown>>(`SELECT * FROM "InferenceMinute" ORDER BY "trigger", "minute"`));
    expect(minutes.map((m) => [m.trigger, toDate(m.minute).getTime() - minute, Number(m.shard), Number(m.inferences), Number(m.errors), Number(m.latencySum)])).toEqual([
      ["t", 0, 0, 2, 1, 11],
      ["t", 60_000, 0, 1, 0, 1],
      ["u", 0, 0, 1, 0, 0],
    ]);
    // ceil(ln 1 / ln γ) = 0, ceil(ln 10 / ln γ) = 58, ceil(ln 0.0001 / ln γ) = -230 (the engine's latencyBucket).
    const buckets = await after.read(() => all<Record<string, unknown>>(`SELECT * FROM "InferenceMinuteLatency" ORDER BY "trigger", "minute", "bucket"`));
    expect(buckets.map((b) => [b.trigger, toDate(b.minute).getTime() - minute, Number(b.bucket), Number(b.count)])).toEqual([
      ["t", 0, 0, 1],
      ["t", 0, 58, 1],
      ["t", 60_000, 0, 1],
      ["u", 0, -230, 1],
    ]);
  });
});
