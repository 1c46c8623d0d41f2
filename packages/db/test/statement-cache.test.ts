import { describe, expect, it } from "vitest";
import { StatementCache } from "../src/statement-cache.ts";

describe("StatementCache", () => {
  it("prepares each SQL text once while it is cached", () => {
    const cache = new StatementCache<{ sql: string }>(3);
    let prepared = 0;
    const make = (sql: string) => ({ sql, n: ++prepared });
    const a = cache.get("SELECT 1", make);
    expect(cache.get("SELECT 1", make)).toBe(a);
    expect(prepared).toBe(1);
  });

  it("keeps at most `limit` statements, dropping the oldest prepared; a dropped one is prepared again", () => {
    const cache = new StatementCache<string>(3);
    const seen: string[] = [];
    const make = (sql: string) => (seen.push(sql), sql);
    // IN lists of 1..10 ids: ten texts through a cache of three.
    for (let n = 1; n <= 10; n++) cache.get(`SELECT * FROM "Row" WHERE "id" IN (${new Array(n).fill("?").join(", ")})`, make);
    expect(cache.size).toBe(3);
    expect(seen).toHaveLength(10);
    cache.get(`SELECT * FROM "Row" WHERE "id" IN (?)`, make); // evicted long ago
    expect(seen).toHaveLength(11);
    cache.get(`SELECT * FROM "Row" WHERE "id" IN (${new Array(10).fill("?").join(", ")})`, make); // still cached
    expect(seen).toHaveLength(11);
    expect(cache.size).toBe(3);
  });
});
