import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { insertIngest, newId, openDatabase } from "../src/index.ts";
import { startWalCheckpointer } from "../src/wal-checkpointer.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-wal-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("SQLite WAL checkpoints off the main thread", () => {
  it("moves committed pages into the database file without SQLite's inline auto-checkpoint", async () => {
    const file = path.join(dir, "motion.db");
    const db = await openDatabase({ url: `file:${file}` });
    try {
      const before = fs.statSync(file).size;
      const now = new Date();
      const rows = Array.from({ length: 5000 }, (_, i) => ({
        id: newId(), relation: "r", key: null, data: JSON.stringify({ i, text: "x".repeat(200) }), partition: "2026-01-01", createdAt: now,
      }));
      await db.tx(() => insertIngest(rows, [], []));
      // The background checkpointer runs every second; give it a few.
      let after = before;
      for (let i = 0; i < 50 && after <= before; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = fs.statSync(file).size;
      }
      expect(after).toBeGreaterThan(before + 5000 * 200);
    } finally {
      await db.close();
    }
  });

  it("truncates a WAL that writes without a pause keep growing, once it is copied back", async () => {
    const file = path.join(dir, "busy.db");
    const conn = new Database(file);
    conn.pragma("journal_mode = WAL");
    conn.pragma("synchronous = NORMAL");
    conn.pragma("wal_autocheckpoint = 0");
    conn.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`);
    const insert = conn.prepare(`INSERT INTO t (v) VALUES (?)`);
    // 200 frames (~800 KB) is this test's bound; the product's is 256 MB.
    const checkpointer = startWalCheckpointer(file, createRequire(import.meta.url).resolve("better-sqlite3"), 20, 200);
    const wal = () => (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
    let peak = 0;
    let shrank = false;
    try {
      const until = Date.now() + 4_000;
      while (Date.now() < until && !shrank) {
        conn.transaction(() => {
          for (let i = 0; i < 20; i++) insert.run("x".repeat(2_000));
        })();
        const size = wal();
        if (size < peak / 2) shrank = true;
        peak = Math.max(peak, size);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await checkpointer.stop();
      conn.close();
    }
    expect(peak).toBeGreaterThan(200 * 4096);
    expect(shrank).toBe(true);
  });
});
