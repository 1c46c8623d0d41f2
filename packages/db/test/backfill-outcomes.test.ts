// The version_outcomes migration backfills the outcome rollup from inferences and labels
// stored before it: the same counts and latency buckets the engine would have written.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { all, migrate, openDatabase, run } from "../src/index.ts";
import { defaultMigrationsDir } from "../src/migrate.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("outcomes_backfill");
const MIGRATION = "version_outcomes";

describe.each(factories)("version_outcomes backfill on %s", (_name, make) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("counts inferences, errors, cache hits, latest labels and latency buckets", async () => {
    const database: TestDatabase = await make();
    cleanups.push(() => database.cleanup());
    const provider = database.provider;
    // The migrations before this one, in a folder of their own.
    const all_ = defaultMigrationsDir(provider);
    const before = mkdtempSync(path.join(tmpdir(), "motion-backfill-"));
    cleanups.push(() => rmSync(before, { recursive: true, force: true }));
    const entries = readdirSync(all_, { withFileTypes: true });
    const ours = entries.find((e) => e.isDirectory() && e.name.endsWith(MIGRATION))!.name;
    for (const entry of entries) {
      // Folder names start with their timestamp: everything older than ours.
      if (entry.isDirectory() && entry.name >= ours) continue;
      cpSync(path.join(all_, entry.name), path.join(before, entry.name), { recursive: true });
    }
    await migrate(database.url, { migrationsDir: before });
    const db = await openDatabase({ url: database.url, migrate: false });
    const at = new Date("2026-12-01T00:00:00Z");
    await db.tx(function* () {
      for (const id of ["r1", "r2", "r3", "f1", "f2", "f3"]) {
        yield* run(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt") VALUES (?, 'q', NULL, '{}', '2026-12-01', ?)`, [id, at]);
      }
      const inference = `INSERT INTO "Inference" ("id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion", "paramsHash", "inputHash", "latencyMs", "cached", "createdAt") VALUES (?, ?, 'q', 't', 'q', '1', ?, 0, 'p', '', ?, ?, ?)`;
      yield* run(inference, ["i1", "r1", null, 1, false, at]);
      yield* run(inference, ["i2", "r2", "boom", 10, false, at]);
      yield* run(inference, ["i3", "r3", null, 1, true, at]);
      const label = `INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "correction", "note", "actor", "createdAt") VALUES (?, ?, ?, ?, ?, NULL, 'a', ?)`;
      yield* run(label, ["fb1", "i1", "f1", "bad", null, at]);
      yield* run(label, ["fb2", "i1", "f2", "good", null, at]); // the latest label of i1 counts
      yield* run(label, ["fb3", "i2", "f3", "bad", '{"answer":"x"}', at]);
    });
    await db.close();

    await migrate(database.url);
    const after = await openDatabase({ url: database.url, migrate: false });
    cleanups.push(() => after.close());
    const [o] = await after.read(() => all<Record<string, unknown>>(`SELECT * FROM "VersionOutcome"`));
    expect(Object.fromEntries(["trigger", "stateVersion", "paramsHash", "shard", "inferences", "errors", "cached", "latencySum", "good", "bad", "corrected"].map((k) => [k, k === "trigger" || k === "paramsHash" ? o![k] : Number(o![k])]))).toEqual({
      trigger: "t", stateVersion: 0, paramsHash: "p", shard: 0, inferences: 3, errors: 1, cached: 1, latencySum: 12, good: 1, bad: 1, corrected: 1,
    });
    // ceil(ln 1 / ln γ) = 0 and ceil(ln 10 / ln γ) = 58, γ = 1.02 / 0.98 (the engine's latencyBucket).
    const buckets = await after.read(() => all<{ bucket: unknown; count: unknown }>(`SELECT "bucket", "count" FROM "VersionLatency" ORDER BY "bucket"`));
    expect(buckets.map((b) => [Number(b.bucket), Number(b.count)])).toEqual([[0, 2], [58, 1]]);
  });
});
