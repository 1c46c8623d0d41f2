// Long reads (db.readLong): on SQLite a read-only connection in a worker thread, on PostgreSQL a
// pool of their own. They must answer exactly what the main connection answers, refuse writes,
// and on SQLite leave the event loop free while they run.
import { afterAll, describe, expect, it } from "vitest";
import { all, get, insertIngest, newId, openDatabase, run, toBuffer, toDate, type Database, type Query } from "../src/index.ts";
import { testDatabases, type TestDatabase } from "../test-support/services.ts";

const factories = await testDatabases("motion_perf_db");

describe.each(factories)("long reads on %s", (provider, make) => {
  const cleanup: TestDatabase[] = [];
  const opened: Database[] = [];
  afterAll(async () => {
    for (const db of opened) await db.close();
    for (const d of cleanup) await d.cleanup();
  });

  async function seeded(): Promise<Database> {
    const target = await make();
    cleanup.push(target);
    const db = await openDatabase({ url: target.url });
    opened.push(db);
    const start = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: newId(start + i * 1000), relation: i % 3 ? "a" : "b", key: i % 7 ? null : `k${i}`,
      data: JSON.stringify({ i, text: `row ${i}` }), partition: "2026-01-01", createdAt: new Date(start + i * 1000),
    }));
    await db.tx(() => insertIngest(rows, [], []));
    await db.tx(() => run(`INSERT INTO "StateBlob" ("checksum", "kind", "size", "bytes", "createdAt") VALUES (?, ?, ?, ?, ?)`, ["c1", "u8", 4, Buffer.from([1, 2, 3, 250]), new Date(start)]));
    return db;
  }

  // Several queries in one body, parameters of every kind the engine sends (Date, string, number, boolean).
  const body = (): Query<unknown> =>
    (function* () {
      const counts = yield* all<{ relation: string; n: unknown }>(`SELECT "relation", COUNT(*) AS "n" FROM "Row" GROUP BY "relation" ORDER BY "relation"`);
      const since = yield* all<{ id: string; createdAt: unknown; data: unknown }>(
        `SELECT "id", "createdAt", "data" FROM "Row" WHERE "relation" = ? AND "createdAt" >= ? ORDER BY "id" DESC LIMIT ?`,
        ["a", new Date(Date.UTC(2026, 0, 1) + 2_500_000), 20],
      );
      const keyed = yield* get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "key" IS NOT NULL AND (? = ?)`, [true, true]);
      const blob = yield* get<{ bytes: unknown }>(`SELECT "bytes" FROM "StateBlob" WHERE "checksum" = ?`, ["c1"]);
      return {
        counts: counts.map((c) => [c.relation, Number(c.n)]),
        since: since.map((r) => [r.id, toDate(r.createdAt).toISOString(), typeof r.data === "string" ? JSON.parse(r.data) : r.data]),
        keyed: Number(keyed?.n),
        blob: [...toBuffer(blob!.bytes)],
      };
    })();

  it("returns what the main connection returns", async () => {
    const db = await seeded();
    const main = await db.read(body);
    const long = await db.readLong(body);
    expect(long).toEqual(main);
    expect(main).toMatchObject({ counts: [["a", 2000], ["b", 1000]], keyed: 429, blob: [1, 2, 3, 250] });
    expect((main as { since: unknown[] }).since).toHaveLength(20);
    // Many at once queue up and each still gets its own answer.
    const many = await Promise.all(Array.from({ length: 5 }, () => db.readLong(body)));
    for (const m of many) expect(m).toEqual(main);
  });

  it("sees committed writes, refuses its own, and reports SQL errors", async () => {
    const db = await seeded();
    await db.tx(() => run(`DELETE FROM "Row" WHERE "relation" = ?`, ["b"]));
    expect(Number((await db.readLong(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row"`)))!.n)).toBe(2000);
    await expect(db.readLong(() => run(`DELETE FROM "Row"`))).rejects.toThrow(/cannot write/);
    await expect(db.readLong(() => all(`SELECT "nope" FROM "Row"`))).rejects.toThrow(/nope/);
    // Nothing was deleted, and the reader still works after the errors.
    expect(Number((await db.readLong(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row"`)))!.n)).toBe(2000);
  });

  if (provider === "sqlite") it("leaves the event loop free while a slow query runs", async () => {
    const db = await seeded();
    // About a second of SQLite work (a 1000 × 3000 join), measured as the longest gap between timer ticks.
    const slow = () => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" a JOIN "Row" b ON substr(a."id", 1, 3) <= substr(b."id", 1, 3) WHERE a."relation" = 'b' AND length(a."data") + length(b."data") > 0`);
    const gapWhile = async (work: () => Promise<unknown>) => {
      let last = performance.now();
      let worst = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 5);
      const started = performance.now();
      const result = await work();
      const took = performance.now() - started;
      clearInterval(timer);
      worst = Math.max(worst, performance.now() - last);
      return { result, worst, took };
    };
    const onMain = await gapWhile(() => db.read(slow));
    const offMain = await gapWhile(() => db.readLong(slow));
    expect(offMain.result).toEqual(onMain.result);
    // On the main thread the loop stalls for the whole query; off it, never for long.
    expect(onMain.worst).toBeGreaterThan(onMain.took * 0.8);
    expect(offMain.worst).toBeLessThan(Math.max(100, offMain.took / 4));
  });
});
