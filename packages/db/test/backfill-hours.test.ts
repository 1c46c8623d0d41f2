// The version_hours migration backfills the hourly outcomes from inferences and labels stored
// before it: per (version, hour, params hash), labels in their inference's hour, latency buckets
// as the engine's latencyBucket.
import { afterAll, describe, expect, it } from "vitest";
import { all, migrate, openDatabase, run, toDate } from "../src/index.ts";
import { migrateBefore } from "../test-support/migrate-before.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("hours_backfill");
const MIGRATION = "version_hours";

describe.each(factories)("version_hours backfill on %s", (_name, make) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("counts each hour's inferences, errors, cache hits, latest labels and latency buckets", async () => {
    const database: TestDatabase = await make();
    cleanups.push(() => database.cleanup());
    await migrateBefore(database, MIGRATION);
    const db = await openDatabase({ url: database.url, migrate: false });
    const h0 = new Date("2026-12-01T10:00:00Z");
    const in0 = new Date("2026-12-01T10:59:59.999Z");
    const in1 = new Date("2026-12-01T11:00:00Z");
    const later = new Date("2026-12-02T08:00:00Z"); // labels given the next day
    await db.tx(function* () {
      for (const id of ["r1", "r2", "r3", "f1", "f2", "f3"]) {
        yield* run(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt") VALUES (?, 'q', NULL, '{}', '2026-12-01', ?)`, [id, h0]);
      }
      const inference = `INSERT INTO "Inference" ("id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion", "paramsHash", "inputHash", "latencyMs", "cached", "createdAt") VALUES (?, ?, 'q', 't', 'q', '1', ?, 0, 'p', '', ?, ?, ?)`;
      yield* run(inference, ["i1", "r1", null, 1, false, h0]);
      yield* run(inference, ["i2", "r2", "boom", 10, true, in0]);
      yield* run(inference, ["i3", "r3", null, 1, false, in1]);
      const label = `INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "correction", "note", "actor", "createdAt") VALUES (?, ?, ?, ?, ?, NULL, 'a', ?)`;
      yield* run(label, ["fb1", "i1", "f1", "bad", null, later]);
      yield* run(label, ["fb2", "i1", "f2", "good", null, later]); // the latest label of i1 counts
      yield* run(label, ["fb3", "i3", "f3", "bad", '{"answer":"x"}', later]);
    });
    await db.close();

    await migrate(database.url);
    const after = await openDatabase({ url: database.url, migrate: false });
    cleanups.push(() => after.close());
    const rows = await after.read(() => all<Record<string, unknown>>(`SELECT * FROM "VersionHour" ORDER BY "hour"`));
    expect(rows.map((o) => [toDate(o.hour).toISOString(), ...["inferences", "errors", "cached", "latencySum", "good", "bad", "corrected"].map((k) => Number(o[k]))])).toEqual([
      ["2026-12-01T10:00:00.000Z", 2, 1, 1, 11, 1, 0, 0],
      ["2026-12-01T11:00:00.000Z", 1, 0, 0, 1, 0, 1, 1],
    ]);
    // ceil(ln 1 / ln γ) = 0 and ceil(ln 10 / ln γ) = 58, γ = 1.02 / 0.98 (the engine's latencyBucket).
    const buckets = await after.read(() => all<{ hour: unknown; bucket: unknown; count: unknown }>(`SELECT "hour", "bucket", "count" FROM "VersionHourLatency" ORDER BY "hour", "bucket"`));
    expect(buckets.map((b) => [toDate(b.hour).toISOString().slice(11, 13), Number(b.bucket), Number(b.count)])).toEqual([["10", 0, 1], ["10", 58, 1], ["11", 0, 1]]);
  });
});
