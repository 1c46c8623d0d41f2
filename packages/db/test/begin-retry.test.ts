// SQLite: a transaction that cannot begin because another connection holds the write lock is
// begun again without blocking the event loop, and succeeds once the lock is free; anything
// else (an error of the body itself) is never retried.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { get, openDatabase, run, type Database } from "../src/index.ts";

describe("SQLite transactions that cannot begin", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-begin-retry-"));
  const file = path.join(dir, "motion.db");
  let db: Database;
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("waits for the write lock with the event loop turning, then commits once", async () => {
    // A short busy timeout: SQLite gives up at once, as it did under load in the server bench.
    db = await openDatabase({ url: `file:${file}`, busyTimeoutMs: 5 });
    await db.tx(() => run(`CREATE TABLE "Probe" ("n" INTEGER NOT NULL)`));
    const other = new BetterSqlite3(file, { timeout: 0 });
    other.exec("BEGIN IMMEDIATE");
    setTimeout(() => other.exec("COMMIT"), 200);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    let bodies = 0;
    const started = performance.now();
    await db.tx(function* () {
      bodies++;
      yield* run(`INSERT INTO "Probe" ("n") VALUES (?)`, [1]);
    });
    clearInterval(ticker);
    other.close();
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(ticks).toBeGreaterThanOrEqual(5); // the event loop ran while it waited
    expect(bodies).toBe(1); // the body ran only when the transaction had begun
    expect(await db.read(() => get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Probe"`))).toEqual({ n: 1 });
  });

  it("an error of the body is thrown at once, not retried", async () => {
    let bodies = 0;
    await expect(
      db.tx(function* () {
        bodies++;
        yield* run(`INSERT INTO "Nope" ("n") VALUES (1)`);
      }),
    ).rejects.toThrow(/no such table/);
    expect(bodies).toBe(1);
  });
});
