import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { insertIngest, newId, openDatabase } from "../src/index.ts";

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
});
