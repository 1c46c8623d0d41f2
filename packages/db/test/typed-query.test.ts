// Typed queries compile to the SQL the query layer runs on both databases, return what the
// driver returns, and refuse at type-check time what the schema does not have.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJson, execute, insertIngest, insertRows, openDatabase, prepare, selectAll, selectFirst, storage, toDate, toNum, type Database, type InferenceInsert, type RowInsert } from "../src/index.ts";
import { bulkTarget, unnestInsert } from "../src/pg-bulk-insert.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("motion_typed_query");

describe("typed queries compile without a connection", () => {
  it("uses ? placeholders and quoted identifiers, values bound", () => {
    const { sql, parameters } = storage.selectFrom("Row").select(["id", "createdAt"]).where("relation", "=", `x" OR 1=1`).orderBy("id", "desc").limit(5).compile();
    expect(sql).toBe(`select "id", "createdAt" from "Row" where "relation" = ? order by "id" desc limit ?`);
    expect(parameters).toEqual([`x" OR 1=1`, 5]);
  });

  it("refuses tables and columns the schema does not declare (npm run typecheck fails)", () => {
    // Each line below is a type error; if the schema ever gains these names the directive
    // itself becomes an error, so this file fails typecheck either way a query drifts.
    // @ts-expect-error: no such table
    const noTable = () => storage.selectFrom("Rows");
    // @ts-expect-error: no such column
    const noColumn = () => storage.selectFrom("Row").select("created_at");
    // @ts-expect-error: "stateVersion" is a number column
    const wrongType = () => storage.selectFrom("Inference").select("id").where("stateVersion", "=", "one");
    // @ts-expect-error: bulk inserts check columns too
    const noBulkColumn = () => insertRows("LabeledTally", ["trigger", "labelled"], []);
    // @ts-expect-error: and each value's type, in column order
    const wrongBulkValue = () => insertRows("LabeledTally", ["trigger", "labeled"], [[1, "x"]]);
    expect([noTable, noColumn, wrongType, noBulkColumn, wrongBulkValue].every((f) => typeof f === "function")).toBe(true);
  });
});

describe("PostgreSQL bulk inserts", () => {
  it("become one INSERT … SELECT from unnest with an array per column, whatever the batch size", () => {
    const target = bulkTarget(`INSERT INTO "RelationRowCount" ("relation", "shard", "rows") VALUES `)!;
    expect(target).toEqual({ table: "RelationRowCount", columns: ["relation", "shard", "rows"] });
    const rows = Array.from({ length: 3000 }, (_, i) => [`r${i}`, i % 8, i]);
    const { text, values } = unnestInsert(target, ["text", "integer", "bigint"], rows, ` ON CONFLICT ("relation", "shard") DO NOTHING`, (v) => v);
    expect(text).toBe(`INSERT INTO "RelationRowCount" ("relation", "shard", "rows") SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[]) ON CONFLICT ("relation", "shard") DO NOTHING`);
    expect(values.map((a) => a.length)).toEqual([3000, 3000, 3000]);
    expect(values.map((a) => a[7])).toEqual(["r7", 7, 7]);
    // Another head shape keeps the VALUES statement.
    expect(bulkTarget(`INSERT INTO "X" SELECT 1`)).toBeNull();
  });
});

describe.each(factories)("typed queries on %s", (_name, make) => {
  let target: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    target = await make();
    db = await openDatabase({ url: target.url });
  });
  afterAll(async () => {
    await db?.close();
    await target?.cleanup();
  });

  it("writes and reads through the query layer, in the caller's transaction", async () => {
    const at = new Date("2026-12-05T00:00:00.000Z");
    const changed = await db.tx(function* () {
      return yield* execute(storage.insertInto("AuditEvent").values({ id: "a1", actor: "tester", action: "typed.insert", target: "t", data: null, createdAt: at }));
    });
    expect(changed).toBe(1);
    const rows = await db.read(() => selectAll(storage.selectFrom("AuditEvent").select(["id", "actor", "createdAt"]).where("action", "=", "typed.insert")));
    expect(rows.map((r) => ({ ...r, createdAt: toDate(r.createdAt).toISOString() }))).toEqual([{ id: "a1", actor: "tester", createdAt: at.toISOString() }]);
    const none = await db.read(() => selectFirst(storage.selectFrom("AuditEvent").select("id").where("id", "=", "missing")));
    expect(none).toBeUndefined();
  });

  it("runs a prepared query with each call's values, constants kept", async () => {
    const insert = prepare((id: string, actor: string) => storage.insertInto("AuditEvent").values({ id, actor, action: "typed.prepared", target: "t", data: null, createdAt: new Date("2026-12-05T01:00:00.000Z") }));
    const byActor = prepare((actor: string, limit: number) => storage.selectFrom("AuditEvent").select(["id", "action"]).where("action", "=", "typed.prepared").where("actor", "=", actor).orderBy("id").limit(limit));
    const changed = await db.tx(function* () {
      return (yield* insert.run("p1", "ann")) + (yield* insert.run("p2", "bob")) + (yield* insert.run("p3", "ann"));
    });
    expect(changed).toBe(3);
    expect(await db.read(() => byActor.all("ann", 10))).toEqual([{ id: "p1", action: "typed.prepared" }, { id: "p3", action: "typed.prepared" }]);
    expect(await db.read(() => byActor.all("ann", 1))).toEqual([{ id: "p1", action: "typed.prepared" }]);
    expect(await db.read(() => byActor.first("bob", 5))).toEqual({ id: "p2", action: "typed.prepared" });
    expect(await db.read(() => byActor.first("nobody", 5))).toBeUndefined();
    // An array argument is an `in` list, compiled once per length.
    const byIds = prepare((action: string, ids: string[]) => storage.selectFrom("AuditEvent").select("id").where("action", "=", action).where("id", "in", ids).orderBy("id"));
    expect(await db.read(() => byIds.all("typed.prepared", ["p3", "p1"]))).toEqual([{ id: "p1" }, { id: "p3" }]);
    expect(await db.read(() => byIds.all("typed.prepared", ["p2"]))).toEqual([{ id: "p2" }]);
    expect(await db.read(() => byIds.all("typed.prepared", ["p2", "x", "p3"]))).toEqual([{ id: "p2" }, { id: "p3" }]);
    expect(await db.read(() => byIds.all("other", ["p1", "p2"]))).toEqual([]);
  });

  it("bulk-inserts rows, adding to counters where the key is taken, or leaving taken keys alone", async () => {
    await db.tx(function* () {
      yield* insertRows("LabeledTally", ["trigger", "labeled"], [["a", 2], ["b", 5]], { on: ["trigger"], add: ["labeled"] });
      yield* insertRows("LabeledTally", ["trigger", "labeled"], [["a", 3], ["c", 1]], { on: ["trigger"], add: ["labeled"] });
      yield* insertRows("LabeledTally", ["trigger", "labeled"], [["b", 100], ["d", 7]], { on: ["trigger"] });
      yield* insertRows("LabeledTally", ["trigger", "labeled"], []);
    });
    const rows = await db.read(() => selectAll(storage.selectFrom("LabeledTally").select(["trigger", "labeled"]).orderBy("trigger")));
    expect(rows.map((r) => [r.trigger, toNum(r.labeled)])).toEqual([["a", 5], ["b", 5], ["c", 1], ["d", 7]]);
  });

  it("bulk-inserts more rows than one statement holds: every row once, counters added across statements", async () => {
    // 150 rows: two full multi-row statements on SQLite and 22 rows one by one.
    const keys = Array.from({ length: 150 }, (_, i) => `bulk${String(i).padStart(3, "0")}`);
    await db.tx(function* () {
      yield* insertRows("LabeledTally", ["trigger", "labeled"], keys.map((k, i) => [k, i]), { on: ["trigger"], add: ["labeled"] });
      yield* insertRows("LabeledTally", ["trigger", "labeled"], keys.map((k) => [k, 1000]), { on: ["trigger"], add: ["labeled"] });
      yield* insertRows("LabeledTally", ["trigger", "labeled"], keys.map((k) => [k, -5]), { on: ["trigger"] });
    });
    const rows = await db.read(() => selectAll(storage.selectFrom("LabeledTally").select(["trigger", "labeled"]).where("trigger", "like", "bulk%").orderBy("trigger")));
    expect(rows.map((r) => [r.trigger, toNum(r.labeled)])).toEqual(keys.map((k, i) => [k, i + 1000]));
  });

  it("bulk-inserts every column type as given: text with quotes, JSON, nulls, numbers, booleans, times, bytes", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const tricky = [`quote " and backslash \\ and {braces}, commas`, "NULL", "", "ünïcødé 😀", "line\nbreak\ttab"];
    const rows: RowInsert[] = tricky.map((t, i) => ({ id: `bulkrow${i}`, relation: "bulk", key: i % 2 ? null : t, data: JSON.stringify({ t, i, nested: { a: [1, null, "x"] } }), partition: "2026-03-04", createdAt: at }));
    const inferences: InferenceInsert[] = rows.map((r, i) => ({
      id: `bulkinf${i}`, rowId: r.id, relation: "bulk", trigger: "t", route: "r", output: i === 2 ? null : JSON.stringify({ answer: tricky[i] }), error: i === 2 ? tricky[0]! : null,
      stateVersion: i, paramsHash: "h", inputHash: "", latencyMs: i + 0.25, cached: i % 2 === 1, createdAt: new Date(at.getTime() + i),
    }));
    const bytes = Buffer.from([0, 1, 0x5c, 0x22, 0x7b, 0xff]);
    await db.tx(function* () {
      yield* insertIngest(rows, inferences, []);
      yield* insertRows("StateBlob", ["checksum", "kind", "size", "bytes", "createdAt"], [["bulkblob", "bytes", bytes.length, bytes, at]]);
    });
    const readRows = await db.read(() => selectAll(storage.selectFrom("Row").select(["id", "key", "data", "createdAt"]).where("relation", "=", "bulk").orderBy("id")));
    expect(readRows.map((r) => [r.id, r.key, decodeJson(db.provider, r.data), toDate(r.createdAt).getTime()])).toEqual(rows.map((r) => [r.id, r.key, JSON.parse(r.data), at.getTime()]));
    const readInf = await db.read(() => selectAll(storage.selectFrom("Inference").select(["id", "output", "error", "stateVersion", "latencyMs", "cached", "createdAt"]).where("relation", "=", "bulk").orderBy("id")));
    expect(readInf.map((r) => [r.id, decodeJson(db.provider, r.output), r.error, toNum(r.stateVersion), toNum(r.latencyMs), Boolean(r.cached), toDate(r.createdAt).getTime()])).toEqual(
      inferences.map((i) => [i.id, i.output === null ? null : JSON.parse(i.output), i.error, i.stateVersion, i.latencyMs, i.cached, i.createdAt.getTime()]),
    );
    const blob = await db.read(() => selectFirst(storage.selectFrom("StateBlob").select(["bytes", "size"]).where("checksum", "=", "bulkblob")));
    expect(Buffer.from(blob!.bytes as Uint8Array).equals(bytes)).toBe(true);
  });

  it("refuses to prepare a query that does not use an argument as a plain value", async () => {
    const bad = prepare((ids: string[]) => storage.selectFrom("AuditEvent").select("id").where("id", "in", ids.length ? ["x"] : []));
    await expect(db.read(() => bad.all(["a"]))).rejects.toThrow(/not used as a plain value/);
  });
});
