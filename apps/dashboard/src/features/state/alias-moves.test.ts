import { describe, expect, it } from "vitest";
import { groupAliasMoves, type AliasEvent } from "./alias-moves";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const ev = (id: string, alias: string, from: number | null, to: number, actor: string, t: number, reason: string | null = null): AliasEvent => ({
  id, alias, fromVersion: from, toVersion: to, actor, reason, createdAt: at(t),
});

describe("alias history grouping", () => {
  it("shows each fit's two automatic moves as one, and keeps operator moves apart", () => {
    const events = [
      ev("6", "active", 3, 3, "ops@x", 50, "unpin"),
      ev("5", "active", 1, 3, "fit:r3", 40),
      ev("4", "latest", 2, 3, "fit:r3", 40),
      ev("3", "active", 2, 1, "ops@x", 30, "bad docs"),
      ev("2", "active", 1, 2, "fit:r2", 20),
      ev("1", "latest", 1, 2, "fit:r2", 20),
      ev("0b", "active", null, 0, "setUp", 0),
      ev("0a", "latest", null, 0, "setUp", 0),
    ];
    const moves = groupAliasMoves(events);
    expect(moves.map((m) => [m.aliases.join("+"), m.fromVersion, m.toVersion, m.automatic, m.fitRunId])).toEqual([
      ["active", 3, 3, false, null],
      ["active+latest", 1, 3, true, "r3"],
      ["active", 2, 1, false, null],
      ["active+latest", 1, 2, true, "r2"],
      ["active+latest", null, 0, true, null],
    ]);
    expect(moves[2]!.reason).toBe("bad docs");
  });

  it("keeps a pinned trigger's fit (latest only) as one move, and does not merge two fits", () => {
    const moves = groupAliasMoves([ev("3", "latest", 3, 4, "fit:b", 20), ev("2", "latest", 2, 3, "fit:a", 10)]);
    expect(moves.map((m) => m.aliases)).toEqual([["latest"], ["latest"]]);
  });

  it("does not merge two operator moves made at the same instant", () => {
    const moves = groupAliasMoves([ev("2", "active", 2, 1, "ops@x", 5), ev("1", "latest", 2, 1, "ops@x", 5)]);
    expect(moves).toHaveLength(2);
  });
});
