// Bookkeeping pruning: old schedule ticks go but each route's latest ticks stay (what the claim
// and the console read), old backlog samples and inference rollup minutes go, in batches.
import { afterAll, describe, expect, it } from "vitest";
import { all, run } from "@motion/db";
import { z } from "zod";
import { Motion, ValidationError, defineApp, relation, trigger } from "../src/index.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

const events = relation("events", { schema: z.object({ n: z.number() }) });
const echo = trigger("echo", { setUp: () => ({}), routes: [{ relation: events, infer: ({ row }) => row.data.n }] });
const app = defineApp({ name: "bookkeeping-app", relations: [events], triggers: [echo] });

const NOW = new Date("2026-06-01T00:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe.each(factories)("bookkeeping pruning on %s", (_name, makeDatabase) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("keeps each route's latest non-manual and latest run ticks, prunes the rest past the window, samples and rollup minutes too", async () => {
    const db: TestDatabase = await makeDatabase();
    const motion = await Motion.open({ app, databaseUrl: db.url, runFits: false, retention: { auto: false } });
    cleanups.push(() => db.cleanup(), () => motion.close());
    const ticks: [string, number, string][] = [
      // a: everything is old; the latest non-manual (skipped, 50) and the latest run (60) stay.
      ["a", 100, "baseline"], ["a", 90, "run"], ["a", 80, "manual"], ["a", 70, "skipped"], ["a", 60, "run"], ["a", 50, "skipped"],
      // b: 40 has later ticks of both kinds; 10 is within the window.
      ["b", 40, "run"], ["b", 10, "run"],
      // c: manual runs only: the older goes, the latest stays.
      ["c", 45, "manual"], ["c", 35, "manual"],
    ];
    await motion.db.tx(function* () {
      for (const [route, d, kind] of ticks) {
        yield* run(`INSERT INTO "ScheduleTick" ("trigger", "route", "tickAt", "kind", "missed", "claimedBy", "createdAt") VALUES ('echo', ?, ?, ?, 0, 'test', ?)`, [route, daysAgo(d), kind, daysAgo(d)]);
      }
      for (const d of [40, 31, 29]) {
        yield* run(`INSERT INTO "BacklogSample" ("trigger", "route", "at", "takenAt", "waiting", "held", "claimed", "fitted", "shed") VALUES ('echo', 'events', ?, ?, 1, 0, 0, 0, 0)`, [daysAgo(d), daysAgo(d)]);
      }
      for (const [d, shard] of [[40, 0], [40, 1], [1, 0]] as const) {
        yield* run(`INSERT INTO "InferenceMinute" ("trigger", "minute", "shard", "inferences", "errors", "latencySum") VALUES ('echo', ?, ?, 3, 0, 1.5)`, [daysAgo(d), shard]);
      }
      for (const [d, bucket] of [[40, 1], [40, 2], [1, 1]] as const) {
        yield* run(`INSERT INTO "InferenceMinuteLatency" ("trigger", "minute", "bucket", "shard", "count") VALUES ('echo', ?, ?, 0, 3)`, [daysAgo(d), bucket]);
      }
    });

    const report = await motion.retention.pruneBookkeeping({ now: NOW, batchSize: 2 });
    // 6 ticks in batches of 2 (3), 2 samples (1 full batch, then an empty look), 2 minutes (1 likewise).
    expect(report).toEqual({ before: daysAgo(30), scheduleTicks: 6, backlogSamples: 2, inferenceMinutes: 2, outcomeHours: 0, outcomeHourLatencies: 0, batches: 5 });

    const left = await motion.db.read(() => all<{ route: string; tickAt: unknown; kind: string }>(`SELECT "route", "tickAt", "kind" FROM "ScheduleTick" ORDER BY "route", "tickAt"`));
    expect(left.map((t) => [t.route, Math.round((NOW.getTime() - new Date(t.tickAt as string | number | Date).getTime()) / 86_400_000), t.kind])).toEqual([
      ["a", 60, "run"], ["a", 50, "skipped"], ["b", 10, "run"], ["c", 35, "manual"],
    ]);
    const samples = await motion.db.read(() => all<{ at: unknown }>(`SELECT "at" FROM "BacklogSample"`));
    expect(samples).toHaveLength(1);
    const minutes = await motion.db.read(() => all(`SELECT "minute" FROM "InferenceMinute"`));
    const latency = await motion.db.read(() => all(`SELECT "minute" FROM "InferenceMinuteLatency"`));
    expect([minutes.length, latency.length]).toEqual([1, 1]);

    // A second pass finds nothing; a window under a day is refused (the Overview reads a day).
    expect(await motion.retention.pruneBookkeeping({ now: NOW, batchSize: 2 })).toMatchObject({ scheduleTicks: 0, backlogSamples: 0, inferenceMinutes: 0, batches: 0 });
    await expect(motion.retention.pruneBookkeeping({ days: 0.5 })).rejects.toBeInstanceOf(ValidationError);
  });
});
