import { describe, expect, it } from "vitest";
import { pendingKey, prepareBacklog, type BacklogRouteInput } from "./backlog";

const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const M = 60_000;

const events: BacklogRouteInput = {
  route: "events",
  maxPending: 100,
  onFull: "reject",
  current: { waiting: 3, held: 2, claimed: 1 },
  buckets: [
    { at: new Date(T0 - M).toISOString(), pending: null, added: 0, fitted: 0, shed: 0 },
    { at: T0, pending: 5, added: 0, fitted: 0, shed: 0 },
    { at: new Date(T0 + M), pending: 8, added: 3, fitted: 0, shed: 0 },
    { at: T0 + 2 * M, pending: 5, added: 2, fitted: 4, shed: 1 },
  ],
};
const notes: BacklogRouteInput = {
  route: "notes",
  maxPending: null,
  current: { waiting: 40, held: 0, claimed: 0 },
  buckets: [
    { at: T0, pending: 10, added: 10, fitted: 0, shed: 0 },
    { at: T0 + M, pending: null, added: 0, fitted: 0, shed: 0 },
    { at: T0 + 2 * M, pending: 40, added: 30, fitted: 0, shed: 0 },
    { at: T0 + 3 * M, pending: 40, added: 0, fitted: 0, shed: 0 },
  ],
};

describe("prepareBacklog", () => {
  it("one row per bucket over all routes, backlog per route, flows summed with fitted and shed below the axis", () => {
    const p = prepareBacklog([events, notes]);
    expect(p.rows.map((r) => r.t)).toEqual([T0 - M, T0, T0 + M, T0 + 2 * M, T0 + 3 * M]);
    expect(p.rows.map((r) => r[pendingKey("events")])).toEqual([null, 5, 8, 5, null]);
    expect(p.rows.map((r) => r[pendingKey("notes")])).toEqual([null, 10, null, 40, 40]);
    expect(p.rows.map((r) => r.added)).toEqual([0, 10, 3, 32, 0]);
    expect(p.rows.map((r) => r.fitted)).toEqual([0, 0, 0, -4, 0]);
    expect(p.rows.map((r) => r.shed)).toEqual([0, 0, 0, -1, 0]);
    expect(p.totals).toEqual({ added: 45, fitted: 4, shed: 1 });
    expect(p.hasSamples).toBe(true);
  });

  it("summarises each route: current backlog (waiting + held), peak, bound and whether it is full", () => {
    const p = prepareBacklog([events, notes]);
    expect(p.routes).toEqual([
      { route: "events", key: "pending:events", current: 5, claimed: 1, bound: 100, onFull: "reject", peak: 8, full: false },
      { route: "notes", key: "pending:notes", current: 40, claimed: 0, bound: null, onFull: null, peak: 40, full: false },
    ]);
    // A bound far above the backlog (100 vs at most 40) is not drawn: it would flatten the chart.
    expect(p.bounds).toEqual([]);
    expect(p.yMax).toBe(40);
    // Within twice the backlog it is, once per value, and the axis reaches it.
    const near = prepareBacklog([{ ...events, maxPending: 60 }, { ...notes, maxPending: 60 }]);
    expect(near.bounds).toEqual([{ value: 60, routes: ["events", "notes"] }]);
    expect(near.yMax).toBe(60);
    const full = prepareBacklog([{ ...events, current: { waiting: 100, held: 0, claimed: 0 } }]);
    expect(full.routes[0]!.full).toBe(true);
  });

  it("says when no bucket has a sample (a fresh install, or no fit process running)", () => {
    const p = prepareBacklog([{ ...notes, buckets: [{ at: T0, pending: null, added: 0, fitted: 0, shed: 0 }] }]);
    expect(p.hasSamples).toBe(false);
    expect(p.routes[0]!.peak).toBeNull();
    expect(prepareBacklog([]).rows).toEqual([]);
  });
});
