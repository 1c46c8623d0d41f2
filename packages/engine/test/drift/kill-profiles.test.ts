// A process killed while ingesting loses no profile counts: profiles commit with their rows.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { all, openDatabase } from "@motion/db";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();
const child = path.resolve(import.meta.dirname, "fixtures/ingest-forever.ts");

describe.each(factories)("profiles under SIGKILL on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.cleanup();
  });

  it("every stored row is counted in exactly one stored profile after kill -9 mid-ingest", async () => {
    const database = await makeDatabase();
    databases.push(database);
    for (let round = 0; round < 3; round++) {
      const proc = spawn(process.execPath, ["--import", "tsx", child, database.url], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.on("data", (b: Buffer) => b.toString().includes("ready") && resolve());
        proc.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
      });
      // Let it ingest for a while, then kill it at an arbitrary point of a batch.
      await new Promise((r) => setTimeout(r, 300 + round * 170));
      proc.kill("SIGKILL");
      await new Promise((r) => proc.once("exit", r));
    }
    const db = await openDatabase({ url: database.url });
    try {
      const rows = await db.read(() => all<{ partition: string; n: unknown }>(`SELECT "partition", COUNT(*) AS "n" FROM "Row" GROUP BY "partition" ORDER BY "partition"`));
      const profiles = await db.read(() => all<{ partition: string; n: unknown }>(`SELECT "partition", SUM("rows") AS "n" FROM "DriftProfile" GROUP BY "partition" ORDER BY "partition"`));
      expect(rows.length).toBe(5);
      expect(rows.reduce((a, r) => a + Number(r.n), 0)).toBeGreaterThan(120);
      expect(profiles.map((p) => [p.partition, Number(p.n)])).toEqual(rows.map((r) => [r.partition, Number(r.n)]));
    } finally {
      await db.close();
    }
  }, 60_000);
});
