// Drift end to end through the public engine API, on SQLite and PostgreSQL: profiles stored
// with rows, partitions judged when they close, hold / release / drop / mark valid, refits.
import { afterAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { all } from "@motion/db";
import { ConflictError, Motion, NotFoundError, ValidationError, defineApp, relation, trigger, type MotionOptions } from "../../src/index.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

const tripSchema = z.object({ day: z.string(), fare: z.number(), passengers: z.number().int(), vendor: z.string(), paid: z.boolean() });
type Trip = z.output<typeof tripSchema>;

/** A deterministic stream of trips: fares around 12, 1–4 passengers, three vendors. */
function trips(day: string, n: number, seed: number, corrupt?: (t: Trip, i: number) => Trip): Trip[] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const t: Trip = {
      day, fare: Math.round((6 + 12 * rand() + 4 * rand()) * 100) / 100, passengers: 1 + Math.floor(rand() * 4),
      vendor: ["acme", "bolt", "cab"][Math.floor(rand() * 3)]!, paid: rand() < 0.9,
    };
    return corrupt ? corrupt(t, i) : t;
  });
}

const days = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));

function appWith(onDrift: "notify" | "hold" | "refit", seen: { reasons: (string | null)[]; rows: string[] }) {
  const tripsRel = relation("trips", { schema: tripSchema, partitionBy: { by: "day", granularity: "day" } });
  const fares = trigger("fares", {
    setUp: () => ({ n: 0 }),
    routes: [{
      relation: tripsRel, onDrift, refitWindow: 3, batchSize: 500, maxWaitMs: 5,
      fit: ({ state, rows, reason }) => {
        seen.reasons.push(reason);
        for (const r of rows) seen.rows.push(r.data.day);
        return { n: (state.n as number) + rows.length };
      },
    }],
  });
  return defineApp({ name: `drift-${onDrift}`, relations: [tripsRel], triggers: [fares] });
}

describe.each(factories)("drift through the engine on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  async function open(app: MotionOptions["app"], extra: Partial<MotionOptions> = {}) {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app, databaseUrl: db.url, fitIn: "inline", drift: { autoCheck: false }, ...extra });
    opened.push(motion);
    return motion;
  }
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });

  /** 13 clean past days but day 10, with fares in cents (a unit change). Past periods are closed. */
  async function backfill(motion: Motion) {
    const list = days(13);
    const rows = list.flatMap((day, d) => trips(day, 150, 7 + d, d === 9 ? (t) => ({ ...t, fare: t.fare * 100 }) : undefined));
    await motion.addMany("trips", rows);
    return list;
  }

  it("judges a back-filled history by event time and names the column that moved", async () => {
    const seen = { reasons: [], rows: [] };
    const motion = await open(appWith("notify", seen));
    const list = await backfill(motion);
    const judged = await motion.drift.check("trips");
    expect(judged.map((p) => p.partition)).toEqual(list);
    // Today's partition is still open: its period has not ended.
    const today = new Date().toISOString().slice(0, 10);
    await motion.addMany("trips", trips(today, 20, 99));
    expect(await motion.drift.check("trips")).toEqual([]);
    const partitions = await motion.drift.partitions("trips");
    expect(partitions).toHaveLength(14);
    expect(partitions.slice(0, 5).every((p) => p.status === "insufficient-history")).toBe(true);
    const flagged = partitions.filter((p) => p.status === "drift");
    expect(flagged.map((p) => p.partition)).toEqual([list[9]]);
    expect(flagged[0]!.columns[0]!.column).toBe("fare");
    expect(flagged[0]!.valid).toBe(false);
    expect(partitions.at(-1)!.status).toBe("open");
    expect(partitions.filter((p) => p.status === "ok")).toHaveLength(7);

    const view = await motion.drift.profile("trips", list[9]!);
    expect(view.rows).toBe(150);
    expect(view.summary.columns.fare!.stats.mean).toBeGreaterThan(500);
    expect(view.explanation[0]).toMatch(/^fare: .* rose from .* to .*, z = /);

    const events = await motion.drift.events("trips");
    expect(events.map((e) => [e.action, e.partition, e.actor])).toEqual([["flag", list[9], "detector"]]);
    const audit = await motion.db.read(() => all<{ action: string; target: string }>(`SELECT "action", "target" FROM "AuditEvent" WHERE "action" LIKE 'drift.%'`));
    expect(audit).toEqual([{ action: "drift.flag", target: `trips/${list[9]}` }]);
    expect((await motion.drift.alerts()).map((a) => a.partition)).toEqual([list[9]]);

    const heatmap = await motion.drift.heatmap("trips");
    expect(heatmap.columns).toContain("fare");
    expect(heatmap.partitions).toEqual(list);
    const series = await motion.drift.series("trips", "fare", "mean");
    expect(series).toHaveLength(14);
    expect(series[9]!.flagged).toBe(true);
    expect(series[8]!.flagged).toBe(false);
    expect(series[9]!.value!).toBeGreaterThan(series[9]!.high!);
    // A second check has nothing new to judge.
    expect(await motion.drift.check("trips")).toEqual([]);
  });

  it("merges profiles of one partition from many batches into the profile of all its rows", async () => {
    const motion = await open(appWith("notify", { reasons: [], rows: [] }));
    const rows = trips("2024-03-01", 300, 3);
    for (let i = 0; i < rows.length; i += 30) await motion.addMany("trips", rows.slice(i, i + 30));
    const stored = () => motion.db.read(() => all<{ n: unknown; rows: unknown }>(`SELECT COUNT(*) AS "n", SUM("rows") AS "rows" FROM "DriftProfile"`));
    expect((await stored()).map((r) => [Number(r.n), Number(r.rows)])).toEqual([[10, 300]]);
    const view = await motion.drift.profile("trips", "2024-03-01");
    expect(view.rows).toBe(300);
    expect(view.summary.columns.passengers!.stats.min).toBe(1);
    expect(view.summary.columns.passengers!.stats.max).toBe(4);
    const mean = rows.reduce((a, r) => a + r.fare, 0) / rows.length;
    expect(view.summary.columns.fare!.stats.mean).toBeCloseTo(mean, 6);
    // Reading compacted the ten batch profiles into one, with the same counts.
    expect((await stored()).map((r) => [Number(r.n), Number(r.rows)])).toEqual([[1, 300]]);
    expect((await motion.drift.profile("trips", "2024-03-01")).summary.columns.fare!.stats.mean).toBeCloseTo(mean, 6);
  });

  it("judges closed partitions on its own after an ingest, off the caller's path", async () => {
    const motion = await open(appWith("notify", { reasons: [], rows: [] }), { drift: { autoCheck: true, checkIntervalMs: 0 } });
    const list = await backfill(motion);
    await vi.waitFor(async () => {
      const statuses = (await motion.drift.partitions("trips")).map((p) => p.status);
      expect(statuses.filter((s) => s !== "open")).toHaveLength(list.length);
    }, { timeout: 10_000, interval: 50 });
    expect((await motion.drift.alerts()).map((a) => a.partition)).toEqual([list[9]]);
  });

  it("counts every row once when two processes write one partition at the same time", async () => {
    const app = appWith("notify", { reasons: [], rows: [] });
    const db = await makeDatabase();
    databases.push(db);
    const a = await Motion.open({ app, databaseUrl: db.url, fitIn: "inline", drift: { autoCheck: false } });
    const b = await Motion.open({ app, databaseUrl: db.url, fitIn: "inline", drift: { autoCheck: false } });
    opened.push(a, b);
    const rows = trips("2024-05-05", 400, 5);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).addMany("trips", rows.slice(i * 20, i * 20 + 20))));
    // Both read (and compact) at once: the merged profile still holds each row once.
    const [pa, pb] = await Promise.all([a.drift.profile("trips", "2024-05-05"), b.drift.profile("trips", "2024-05-05")]);
    expect(pa.rows).toBe(400);
    expect(pb.rows).toBe(400);
    const stored = await a.db.read(() => all<{ rows: unknown }>(`SELECT SUM("rows") AS "rows" FROM "DriftProfile"`));
    expect(Number(stored[0]!.rows)).toBe(400);
    expect((await a.drift.profile("trips", "2024-05-05")).summary.columns.passengers!.count).toBe(400);
  });

  it("rejects rows without a valid partition time with the row index and path, writing nothing", async () => {
    const motion = await open(appWith("notify", { reasons: [], rows: [] }));
    const good = trips("2024-01-01", 2, 1);
    const error = await motion.addMany("trips", [...good, { ...good[0]!, day: "yesterday" }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ index: 2, path: ["day"], code: "invalid_partition" })]);
    const counts = await motion.db.read(() => all<{ n: unknown }>(`SELECT (SELECT COUNT(*) FROM "Row") + (SELECT COUNT(*) FROM "DriftProfile") + (SELECT COUNT(*) FROM "PendingRow") AS "n"`));
    expect(Number(counts[0]!.n)).toBe(0);
  });

  it("holds a flagged partition's rows until released, and never fits a dropped one", async () => {
    const seen = { reasons: [] as (string | null)[], rows: [] as string[] };
    const motion = await open(appWith("hold", seen));
    const list = days(14);
    // Day 10 is in cents; day 12 has every vendor pinned to one value and fares negative.
    const rows = list.flatMap((day, d) =>
      trips(day, 150, 11 + d, d === 9 ? (t) => ({ ...t, fare: t.fare * 100 }) : d === 11 ? (t) => ({ ...t, vendor: "zzz", fare: -t.fare }) : undefined),
    );
    await motion.addMany("trips", rows);
    await motion.flush();
    expect(seen.rows).toHaveLength(0); // nothing is fitted before its partition is judged
    await motion.drift.check("trips");
    await motion.flush();
    const fitted = new Set(seen.rows);
    const statuses = Object.fromEntries((await motion.drift.partitions("trips")).map((p) => [p.partition, p.status]));
    expect(statuses[list[9]!]).toBe("held");
    expect(statuses[list[11]!]).toBe("held");
    expect([...fitted].sort()).toEqual(list.filter((_, d) => d !== 9 && d !== 11));
    expect(seen.rows).toHaveLength(12 * 150);

    await expect(motion.drift.release("trips", "2030-01-01", { actor: "ops@x" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(motion.drift.release("trips", list[0]!, { actor: "ops@x" })).rejects.toBeInstanceOf(ConflictError);
    await expect(motion.drift.release("nope", list[9]!, { actor: "ops@x" })).rejects.toBeInstanceOf(NotFoundError);

    const released = await motion.drift.release("trips", list[9]!, { actor: "ops@x", reason: "fares were re-priced in cents on purpose" });
    expect(released.status).toBe("released");
    const dropped = await motion.drift.drop("trips", list[11]!, { actor: "ops@x", reason: "broken export" });
    expect(dropped.status).toBe("dropped");
    await motion.flush();
    expect(seen.rows.filter((d) => d === list[9])).toHaveLength(150);
    expect(seen.rows.filter((d) => d === list[11])).toHaveLength(0);
    const pending = await motion.db.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "PendingRow" WHERE "partition" = ?`, [list[11]]));
    expect(Number(pending[0]!.n)).toBe(0);
    // The dropped rows are still stored.
    const kept = await motion.db.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "partition" = ?`, [list[11]]));
    expect(Number(kept[0]!.n)).toBe(150);
    await expect(motion.drift.drop("trips", list[11]!, { actor: "ops@x" })).rejects.toBeInstanceOf(ConflictError);

    const valid = await motion.drift.markValid("trips", list[9]!, { actor: "lead@x", reason: "cents are the new unit" });
    expect(valid.valid).toBe(true);
    const events = await motion.drift.events("trips");
    expect(events.map((e) => [e.action, e.partition, e.actor, e.reason])).toEqual([
      ["mark-valid", list[9], "lead@x", "cents are the new unit"],
      ["drop", list[11], "ops@x", "broken export"],
      ["release", list[9], "ops@x", "fares were re-priced in cents on purpose"],
      expect.arrayContaining(["flag"]),
      expect.arrayContaining(["flag"]),
    ]);
    expect(events[1]!.data).toMatchObject({ from: "held", to: "dropped", rows: 150 });
  });

  it("refits over recent valid partitions when a partition is flagged, and says why", async () => {
    const seen = { reasons: [] as (string | null)[], rows: [] as string[] };
    const motion = await open(appWith("refit", seen));
    const list = await backfill(motion);
    await motion.flush();
    const before = seen.rows.length;
    expect(before).toBe(13 * 150);
    await motion.drift.check("trips");
    await motion.flush();
    expect(seen.reasons).toContain("drift");
    // The refit read the three valid partitions before the flagged one, not the flagged one.
    const refitted = seen.rows.slice(before);
    expect([...new Set(refitted)].sort()).toEqual(list.slice(6, 9));
    expect(refitted).toHaveLength(3 * 150);
    const runs = await motion.db.read(() => all<{ reason: string | null; status: string }>(`SELECT "reason", "status" FROM "FitRun" WHERE "reason" = 'drift'`));
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    const refitEvents = (await motion.drift.events("trips")).filter((e) => e.action === "refit");
    expect(refitEvents).toHaveLength(1);
    expect(refitEvents[0]!.data).toMatchObject({ trigger: "fares", route: "trips", partitions: list.slice(6, 9), rows: 450 });
  });
});
