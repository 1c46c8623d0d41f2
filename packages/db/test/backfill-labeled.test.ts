// The inference_labeled migration sets Inference.labeled for inferences labeled before it
// (any Feedback row), and leaves the others unlabeled; label_tally then counts those labels.
import { afterAll, describe, expect, it } from "vitest";
import { all, migrate, openDatabase, run } from "../src/index.ts";
import { migrateBefore } from "../test-support/migrate-before.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("labeled_backfill");
const MIGRATION = "inference_labeled";

describe.each(factories)("inference_labeled backfill on %s", (_name, make) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("flags exactly the inferences with a label", async () => {
    const database: TestDatabase = await make();
    cleanups.push(() => database.cleanup());
    await migrateBefore(database, MIGRATION);
    const db = await openDatabase({ url: database.url, migrate: false });
    const at = new Date("2026-12-01T00:00:00Z");
    await db.tx(function* () {
      for (const id of ["r1", "r2", "r3", "f1", "f2"]) {
        yield* run(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt") VALUES (?, 'q', NULL, '{}', '2026-12-01', ?)`, [id, at]);
      }
      const inference = `INSERT INTO "Inference" ("id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion", "paramsHash", "inputHash", "latencyMs", "cached", "createdAt") VALUES (?, ?, 'q', 't', 'q', '1', NULL, 0, 'p', '', 1, false, ?)`;
      for (const [id, row] of [["i1", "r1"], ["i2", "r2"], ["i3", "r3"]]) yield* run(inference, [id, row, at]);
      const label = `INSERT INTO "Feedback" ("id", "inferenceId", "rowId", "label", "correction", "note", "actor", "createdAt") VALUES (?, ?, ?, ?, NULL, NULL, 'a', ?)`;
      yield* run(label, ["fb1", "i1", "f1", "bad", at]);
      yield* run(label, ["fb2", "i1", "f2", "good", at]);
    });
    await db.close();

    await migrate(database.url);
    const after = await openDatabase({ url: database.url, migrate: false });
    cleanups.push(() => after.close());
    const rows = await after.read(() => all<{ id: string; labeled: unknown }>(`SELECT "id", "labeled" FROM "Inference" ORDER BY "id"`));
    expect(rows.map((r) => [r.id, Boolean(Number(r.labeled) || r.labeled === true)])).toEqual([["i1", true], ["i2", false], ["i3", false]]);
    // The label_tally migration after it counts the same labels.
    const tally = await after.read(() => all<{ trigger: string; actor: string; label: string; labels: unknown }>(`SELECT * FROM "LabelTally" ORDER BY "label"`));
    expect(tally.map((t) => [t.trigger, t.actor, t.label, Number(t.labels)])).toEqual([["t", "a", "bad", 1], ["t", "a", "good", 1]]);
    const labeled = await after.read(() => all<{ trigger: string; labeled: unknown }>(`SELECT * FROM "LabeledTally"`));
    expect(labeled.map((t) => [t.trigger, Number(t.labeled)])).toEqual([["t", 1]]);
  });
});
