// The relation_row_count migration counts the rows stored before it; from then on inserts
// (`insertIngest`) and deletions keep the counts.
import { afterAll, describe, expect, it } from "vitest";
import { addRelationRows, all, insertIngest, migrate, openDatabase, run } from "../src/index.ts";
import { migrateBefore } from "../test-support/migrate-before.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("relation_rows_backfill");

describe.each(factories)("relation_row_count backfill on %s", (_name, make) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("counts the rows stored before it, per relation; later inserts and deletions follow", async () => {
    const database: TestDatabase = await make();
    cleanups.push(() => database.cleanup());
    await migrateBefore(database, "relation_row_count");
    const db = await openDatabase({ url: database.url, migrate: false });
    const at = new Date("2026-12-01T00:00:00Z");
    await db.tx(function* () {
      for (const [id, relation] of [["r1", "questions"], ["r2", "questions"], ["r3", "docs"]]) {
        yield* run(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt") VALUES (?, ?, NULL, '{}', '2026-12-01', ?)`, [id, relation, at]);
      }
    });
    await db.close();

    await migrate(database.url);
    const after = await openDatabase({ url: database.url, migrate: false });
    cleanups.push(() => after.close());
    const counts = () =>
      after.read(() => all<{ relation: string; n: unknown }>(`SELECT "relation", SUM("rows") AS "n" FROM "RelationRowCount" GROUP BY "relation" ORDER BY "relation"`))
        .then((rows) => rows.map((r) => [r.relation, Number(r.n)]));
    expect(await counts()).toEqual([["docs", 1], ["questions", 2]]);
    await after.tx(() => insertIngest([{ id: "r4", relation: "docs", key: null, data: "{}", partition: "2026-12-01", createdAt: at }], [], [], [], 3));
    await after.tx(() => addRelationRows(new Map([["questions", -1]])));
    expect(await counts()).toEqual([["docs", 2], ["questions", 1]]);
  });
});
