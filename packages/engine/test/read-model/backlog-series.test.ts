// Backlog samples and the backlog series read from them, with figures computed by hand:
// samples at 00:00:30, 00:01:30 and 00:02:30 of a day, with rows added, held, fitted and shed
// between them by direct writes (no fit runs in this process, so nothing moves by itself).
import { afterAll, describe, expect, it } from "vitest";
import { all, newId, run } from "@motion/db";
import { z } from "zod";
import { Motion, ValidationError, defineApp, relation, trigger } from "../../src/index.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

const events = relation("events", { schema: z.object({ n: z.number() }) });
const counter = trigger("counter", {
  setUp: () => ({ seen: 0 }),
  routes: [{ relation: events, infer: ({ state }) => state.seen, fit: ({ state, rows }) => ({ seen: (state.seen as number) + rows.length }), backpressure: { maxPending: 100, onFull: "reject" } }],
});
const app = defineApp({ name: "backlog-app", relations: [events], triggers: [counter] });

const T = (hms: string) => new Date(`2026-03-01T${hms}Z`);

describe.each(factories)("backlog series on %s", (_name, makeDatabase) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("samples each fit route once a minute and buckets backlog, added, fitted and shed", async () => {
    const db: TestDatabase = await makeDatabase();
    const motion = await Motion.open({ app, databaseUrl: db.url, runFits: false, backlog: { auto: false } });
    cleanups.push(() => db.cleanup(), () => motion.close());
    const pendingIds = async () => (await motion.db.read(() => all<{ rowId: string }>(`SELECT "rowId" FROM "PendingRow" WHERE "held" = ? ORDER BY "rowId"`, [false]))).map((r) => r.rowId);
    const finish = async (status: string, reason: string | null, rowIds: string[], at: Date) => {
      await motion.db.tx(function* () {
        yield* run(`DELETE FROM "PendingRow" WHERE "rowId" IN (${rowIds.map(() => "?").join(", ")})`, rowIds);
        yield* run(
          `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "deadLettered", "queuedAt", "finishedAt", "reason") VALUES (?, 'counter', 'events', 'events', ?, ?, ?, 'null', '', 1, 1, ?, ?, ?, ?)`,
          [newId(at.getTime()), status, JSON.stringify(rowIds), rowIds.length, false, at, at, reason],
        );
      });
    };

    // Minute 00:00: 5 waiting.
    await motion.addMany("events", [1, 2, 3, 4, 5].map((n) => ({ n })));
    expect(await motion.sampleBacklog(T("00:00:30"))).toEqual([{ trigger: "counter", route: "events", at: T("00:00:00"), waiting: 5, held: 0, claimed: 0, fitted: 0, shed: 0 }]);
    // Minute 00:01: 2 of them held by drift, 3 more added: 6 waiting, 2 held.
    const first = await pendingIds();
    await motion.db.tx(() => run(`UPDATE "PendingRow" SET "held" = ? WHERE "rowId" IN (?, ?)`, [true, first[0], first[1]]));
    await motion.addMany("events", [6, 7, 8].map((n) => ({ n })));
    await motion.sampleBacklog(T("00:01:30"));
    // Minute 00:02: a run fits 4, backpressure sheds 1, 2 more added: 3 waiting, 2 held.
    const waiting = await pendingIds();
    await finish("succeeded", null, waiting.slice(0, 4), T("00:02:10"));
    await finish("skipped", "backpressure", waiting.slice(4, 5), T("00:02:20"));
    await motion.addMany("events", [9, 10].map((n) => ({ n })));
    expect(await motion.sampleBacklog(T("00:02:30"))).toEqual([{ trigger: "counter", route: "events", at: T("00:02:00"), waiting: 3, held: 2, claimed: 0, fitted: 4, shed: 1 }]);
    // The first sample of a minute wins.
    expect(await motion.sampleBacklog(T("00:02:50"))).toEqual([]);

    const minutes = await motion.backlogSeries("counter", { windowMinutes: 4, bucketMinutes: 1, to: T("00:03:00") });
    expect(minutes.from).toEqual(new Date(T("00:00:00").getTime() - 60_000));
    expect(minutes.routes).toHaveLength(1);
    const route = minutes.routes[0]!;
    expect(route).toMatchObject({ route: "events", relation: "events", maxPending: 100, onFull: "reject", scheduled: false, current: { waiting: 3, held: 2, claimed: 0 } });
    expect(route.buckets).toEqual([
      { at: new Date(T("00:00:00").getTime() - 60_000), pending: null, claimed: null, added: 0, fitted: 0, shed: 0 },
      // No sample before the first: nothing is known to have been added.
      { at: T("00:00:00"), pending: 5, claimed: 0, added: 0, fitted: 0, shed: 0 },
      // 5 → 8 with nothing out: 3 added.
      { at: T("00:01:00"), pending: 8, claimed: 0, added: 3, fitted: 0, shed: 0 },
      // 8 → 5 with 4 fitted and 1 shed: 5 - 8 + 4 + 1 = 2 added.
      { at: T("00:02:00"), pending: 5, claimed: 0, added: 2, fitted: 4, shed: 1 },
    ]);

    // Two-minute buckets: the last sample of each bucket, sums of the rest.
    const wide = await motion.backlogSeries("counter", { windowMinutes: 4, bucketMinutes: 2, to: T("00:03:00") });
    expect(wide.routes[0]!.buckets).toEqual([
      { at: T("00:00:00"), pending: 8, claimed: 0, added: 3, fitted: 0, shed: 0 },
      { at: T("00:02:00"), pending: 5, claimed: 0, added: 2, fitted: 4, shed: 1 },
    ]);
    // A window starting after the first samples still knows the backlog it started with.
    const last = await motion.backlogSeries("counter", { windowMinutes: 1, bucketMinutes: 1, to: T("00:03:00") });
    expect(last.routes[0]!.buckets).toEqual([{ at: T("00:02:00"), pending: 5, claimed: 0, added: 2, fitted: 4, shed: 1 }]);

    await expect(motion.backlogSeries("counter", { windowMinutes: 0, bucketMinutes: 1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(motion.backlogSeries("counter", { windowMinutes: 10_080, bucketMinutes: 1 })).rejects.toBeInstanceOf(ValidationError);
  });
});
