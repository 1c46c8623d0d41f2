// The feedback_trigger migration gives every earlier label its inference's trigger, so one
// trigger's labels become an index range; labels written after it carry the trigger themselves.
import { afterAll, describe, expect, it } from "vitest";
import { all, migrate, openDatabase, run } from "../src/index.ts";
import { migrateBefore } from "../test-support/migrate-before.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("feedback_trigger_backfill");

describe.each(factories)("feedback_trigger backfill on %s", (_name, make) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("gives each earlier label the trigger of its inference", async () => {
    const database: TestDatabase = await make();
    cleanups.push(() => database.cleanup());
    await migrateBefore(database, "feedback_trigger");
    const db = await openDatabase({ url: database.url, migrate: false });
    const at = new Date("2026-12-01T00:00:00Z");
    await db.tx(function* () {
      for (const id of ["r1", "r2", "r3"]) {
        yield* run(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt") VALUES (?, 'q', NULL, '{}', '2026-12-01', ?)`, [id, at]);
      }
      const inference = `INSERT INTO "Inference" ("id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion", "paramsHash", "inputHash", "latencyMs", "cached", "createdAt") VALUES (?, ?, 'q', ?, 'q', '1', NULL, 0, 'p', '', 1, false, ?)`;
      for (const [id, row, trigger] of [["i1", "r1", "answer"], ["i2", "r2", "rank"], ["i3", "r3", "answer"]]) yield* run(inference, [id, row, trigger, at]);
      const label = `INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "correction", "note", "actor", "createdAt") VALUES (?, ?, ?, 'good', NULL, NULL, 'a', ?)`;
      for (const [id, inf, row] of [["fb1", "i1", "r1"], ["fb2", "i2", "r2"], ["fb3", "i3", "r3"], ["fb4", "i1", "r1"]]) yield* run(label, [id, inf, row, at]);
    });
    await db.close();

    await migrate(database.url);
    const after = await openDatabase({ url: database.url, migrate: false });
    cleanups.push(() => after.close());
    const labels = await after.read(() => all<{ id: string; trigger: string | null }>(`SELECT "id", "trigger" FROM "Feedback" ORDER BY "id"`));
    expect(labels.map((l) => [l.id, l.trigger])).toEqual([["fb1", "answer"], ["fb2", "rank"], ["fb3", "answer"], ["fb4", "answer"]]);
  });
});
