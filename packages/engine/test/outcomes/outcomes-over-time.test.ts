// Outcomes over time: per version (or params hash) and hour, maintained with the inferences and
// labels, checked against hand counts — including labels given hours after the inference (they
// count in the inference's hour), relabels, row deletion, day buckets and bad input.
import { afterAll, describe, expect, it } from "vitest";
import { all, get, insertIngest, newId, toDate, type InferenceInsert, type RowInsert } from "@motion/db";
import {
  addHours, addMinutes, addOutcomes, histogramQuantiles, hourOf, latencyBucket, Motion, NotFoundError, rollUpHours, rollUpInferences, rollUpMinutes, ValidationError, wilsonInterval,
} from "../../src/index.ts";
import { outcomeApp } from "../fixtures/outcome-app.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe.each(factories)("outcomes over time on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });

  it("counts inferences and latest labels per version and hour, labels in their inference's hour", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app: outcomeApp, databaseUrl: db.url, fitIn: "inline", drift: { autoCheck: false }, retention: { auto: false } });
    opened.push(motion);
    const now = Date.now();
    // A real inference on v0 now, labeled good: its fit makes v1.
    const seed = await motion.add("asks", { text: "seed" });
    await motion.feedback(seed.inferences[0]!.id, { label: "good", actor: "t" });
    await motion.flush();
    expect(motion.activeVersion("scorer")).toBeGreaterThanOrEqual(1);

    // Inferences stored hours ago (as ingest writes them, with every rollup).
    const base = hourOf(now) - 5 * HOUR;
    const spec: { v: number; hash: string; at: number; ms: number; error?: boolean; cached?: boolean }[] = [
      { v: 0, hash: "hA", at: base + 60_000, ms: 1 },
      { v: 0, hash: "hA", at: base + 120_000, ms: 2, error: true },
      { v: 0, hash: "hA", at: base + 3_000_000, ms: 4, cached: true },
      { v: 0, hash: "hB", at: base + 3_500_000, ms: 8 },
      { v: 0, hash: "hA", at: base + 2 * HOUR + 5, ms: 10 },
      { v: 0, hash: "hA", at: base + 3 * HOUR - 1, ms: 20 },
      { v: 1, hash: "hA", at: base + HOUR, ms: 3 },
      { v: 1, hash: "hA", at: base + HOUR + 10, ms: 30 },
    ];
    const rows: RowInsert[] = [];
    const inferences: InferenceInsert[] = [];
    spec.forEach((s, i) => {
      const createdAt = new Date(s.at);
      const rowId = newId(s.at);
      rows.push({ id: rowId, relation: "asks", key: null, data: JSON.stringify({ text: `t${i}` }), partition: createdAt.toISOString().slice(0, 10), createdAt });
      inferences.push({
        id: newId(s.at), rowId, relation: "asks", trigger: "scorer", route: "asks", output: s.error ? null : "{}", error: s.error ? "boom" : null,
        stateVersion: s.v, paramsHash: s.hash, inputHash: "", latencyMs: s.ms, cached: s.cached ?? false, createdAt,
      });
    });
    await motion.db.tx(function* () {
      yield* insertIngest(rows, inferences, []);
      yield* addOutcomes(rollUpInferences(inferences), 0);
      yield* addMinutes(rollUpMinutes(inferences), 0);
      yield* addHours(rollUpHours(inferences), 0);
    });
    // Labels given now, hours after the inferences: good, good, bad (corrected) on v0's first
    // hour; on v1 bad then relabeled good.
    await motion.feedback(inferences[0]!.id, { label: "good", actor: "t" });
    await motion.feedback(inferences[1]!.id, { label: "good", actor: "t" });
    await motion.feedback(inferences[3]!.id, { label: "bad", correction: { answer: "X" }, actor: "t" });
    await motion.feedback(inferences[6]!.id, { label: "bad", actor: "t" });
    await motion.feedback(inferences[6]!.id, { label: "good", actor: "u" });
    await motion.flush();

    const read = await motion.outcomesOverTime("scorer", { versions: [0, 1], from: new Date(base - HOUR + 1), to: new Date(now + 1) });
    expect(read.bucket).toBe("hour");
    expect(read.from.getTime()).toBe(base - HOUR);
    expect(read.to.getTime()).toBe(hourOf(now) + HOUR);
    const [v0, v1] = read.series;
    expect([v0!.version, v1!.version]).toEqual([0, 1]);
    // v0: first hour 4 inferences (1 error, 1 cached), labels 2 good / 1 bad (1 corrected);
    // third hour 2 inferences, no labels; the seed's hour 1 inference, 1 good.
    expect(v0!.points.map((p) => [p.t, p.inferences, p.errors, p.cached, p.feedback.good, p.feedback.bad, p.feedback.corrected])).toEqual([
      [base, 4, 1, 1, 2, 1, 1],
      [base + 2 * HOUR, 2, 0, 0, 0, 0, 0],
      [hourOf(now), 1, 0, 0, 1, 0, 0],
    ]);
    const first = v0!.points[0]!;
    expect(first.feedback.goodRate).toBeCloseTo(2 / 3, 12);
    expect(first.feedback.interval).toEqual(wilsonInterval(2, 3));
    expect(first.errorRate).toBe(0.25);
    expect(first.latencyMs!.mean).toBeCloseTo((1 + 2 + 4 + 8) / 4, 9);
    const hist = new Map<number, number>();
    for (const ms of [1, 2, 4, 8]) hist.set(latencyBucket(ms), (hist.get(latencyBucket(ms)) ?? 0) + 1);
    const [p50, p99] = histogramQuantiles(hist, [0.5, 0.99]);
    expect([first.latencyMs!.p50, first.latencyMs!.p99]).toEqual([p50, p99]);
    expect(v0!.points[1]!.feedback.goodRate).toBeNull();
    // v1: one hour, 2 inferences, the relabel counts once as good.
    expect(v1!.points.map((p) => [p.t, p.inferences, p.feedback.good, p.feedback.bad, p.feedback.labeled])).toEqual([[base + HOUR, 2, 1, 0, 1]]);

    // Per params hash on v0.
    const byParams = await motion.outcomesOverTime("scorer", { paramsHashes: ["hA", "hB"], version: 0, from: new Date(base), to: new Date(base + 6 * HOUR) });
    expect(byParams.series.map((s) => [s.paramsHash, s.version, s.points.map((p) => [p.t, p.inferences, p.feedback.labeled])])).toEqual([
      ["hA", 0, [[base, 3, 2], [base + 2 * HOUR, 2, 0]]],
      ["hB", 0, [[base, 1, 1]]],
    ]);
    // Over every version, hA also has v1's hour.
    const everyVersion = await motion.outcomesOverTime("scorer", { paramsHashes: ["hA"], from: new Date(base), to: new Date(base + 6 * HOUR) });
    expect(everyVersion.series[0]!.points.map((p) => [p.t, p.inferences])).toEqual([[base, 3], [base + HOUR, 2], [base + 2 * HOUR, 2]]);

    // Longer than 7 days: UTC days, the hours added up.
    const days = await motion.outcomesOverTime("scorer", { versions: [0], from: new Date(now - 10 * DAY), to: new Date(now) });
    expect(days.bucket).toBe("day");
    const perDay = new Map<number, number>();
    for (const [t, n] of [[base, 4], [base + 2 * HOUR, 2], [hourOf(now), 1]] as const) perDay.set(Math.floor(t / DAY) * DAY, (perDay.get(Math.floor(t / DAY) * DAY) ?? 0) + n);
    expect(days.series[0]!.points.map((p) => [p.t, p.inferences])).toEqual([...perDay].sort((a, b) => a[0] - b[0]));
    expect(days.series[0]!.points.reduce((n, p) => n + p.feedback.good, 0)).toBe(3);

    // Deleting the row of the corrected bad answer takes its inference and label out of its hour.
    await motion.deleteRow(rows[3]!.id, { actor: "test" });
    const after = await motion.outcomesOverTime("scorer", { versions: [0], from: new Date(base), to: new Date(base + HOUR) });
    expect(after.series[0]!.points.map((p) => [p.t, p.inferences, p.feedback.good, p.feedback.bad, p.feedback.corrected])).toEqual([[base, 3, 2, 0, 0]]);
    // Nothing in range: an empty series, not an error.
    const empty = await motion.outcomesOverTime("scorer", { versions: [1], from: new Date(base - 3 * DAY), to: new Date(base - 2 * DAY) });
    expect(empty.series).toEqual([{ version: 1, paramsHash: null, points: [] }]);

    // Bad input.
    const fails = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
    expect(await fails(motion.outcomesOverTime("nope", { versions: [0] }))).toBeInstanceOf(NotFoundError);
    expect(await fails(motion.outcomesOverTime("scorer", { versions: [0, 999] }))).toBeInstanceOf(NotFoundError);
    const path = async (p: Promise<unknown>) => {
      const error = await fails(p);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((i) => i.path);
    };
    expect(await path(motion.outcomesOverTime("scorer", { versions: [0], from: new Date(now), to: new Date(now - 1) }))).toEqual([["to"]]);
    expect(await path(motion.outcomesOverTime("scorer", { versions: [0], from: new Date(now - 500 * DAY), to: new Date(now) }))).toEqual([["from"]]);
    expect(await path(motion.outcomesOverTime("scorer", { versions: [0, -1] }))).toEqual([["versions", 1]]);
    expect(await path(motion.outcomesOverTime("scorer", {}))).toEqual([["versions"]]);
  });

  it("folds hours of days past the bookkeeping window into one row per day; totals, labels and latencies stay exact", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app: outcomeApp, databaseUrl: db.url, fitIn: "inline", drift: { autoCheck: false }, retention: { auto: false, bookkeepingDays: 30 } });
    opened.push(motion);
    const now = Date.now();
    const today = Math.floor(now / DAY) * DAY;
    const oldDay = today - 40 * DAY;
    const nextDay = oldDay + DAY;
    const recent = today - 2 * DAY;
    // Samples written as ingest writes them, in several shards (PostgreSQL's writers spread over 8).
    const sample = (at: number, v: number, hash: string, ms: number, error = false) => ({ trigger: "scorer", stateVersion: v, paramsHash: hash, createdAt: at, latencyMs: ms, error: error ? "x" : null, cached: false });
    const batches: [number, ReturnType<typeof sample>[]][] = [
      [0, [sample(oldDay + 5 * 60_000, 0, "hA", 1), sample(oldDay + 3 * HOUR, 0, "hA", 2, true), sample(oldDay + 3 * HOUR + 1, 0, "hB", 4)]],
      [3, [sample(oldDay + 23 * HOUR, 0, "hA", 8), sample(nextDay + HOUR, 0, "hA", 16)]],
      [5, [sample(oldDay + 7 * HOUR, 0, "hA", 1), sample(recent + 4 * HOUR, 0, "hA", 32)]],
    ];
    await motion.db.tx(function* () {
      for (const [shard, samples] of batches) yield* addHours(rollUpHours(samples), shard);
      // A label on the old day's first inference (counts in its hour, shard 2).
      yield* addHours({ hours: [{ trigger: "scorer", stateVersion: 0, hour: oldDay + 3 * HOUR, paramsHash: "hA", inferences: 0, errors: 0, cached: 0, latencySum: 0, good: 1, bad: 1, corrected: 1 }], latencies: [] }, 2);
    });
    const count = (table: "VersionHour" | "VersionHourLatency") => motion.db.read(() => get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "${table}"`)).then((r) => Number(r!.n));
    const oldRange = { versions: [0], from: new Date(oldDay - DAY), to: new Date(nextDay + DAY) };
    const recentRange = { versions: [0], from: new Date(recent), to: new Date(recent + DAY) };
    // A range that starts before the window is read in days, before and after folding.
    const before = await motion.outcomesOverTime("scorer", oldRange);
    expect(before.bucket).toBe("day");
    const recentBefore = await motion.outcomesOverTime("scorer", recentRange);
    expect(recentBefore.bucket).toBe("hour");
    const hoursBefore = await count("VersionHour");

    // Two rows a batch: the pass walks on from where each batch stopped.
    const report = await motion.retention.pruneBookkeeping({ batchSize: 2 });
    // Old day: 6 rows besides its own day row (hA at 00:00 in shard 0) fold into it and a new hB day row; next day: 1 row → its day row.
    expect(report.outcomeHours).toBe(6);
    expect(report.outcomeHourLatencies).toBe(5);
    expect(report.batches).toBe(6);
    expect(await count("VersionHour")).toBe(hoursBefore - 6 + 2);
    const folded = await motion.db.read(() => all<{ hour: unknown; paramsHash: string; shard: number; inferences: unknown; good: number }>(`SELECT "hour", "paramsHash", "shard", "inferences", "good" FROM "VersionHour" ORDER BY "hour", "paramsHash"`));
    expect(folded.map((r) => [toDate(r.hour).getTime(), r.paramsHash, Number(r.shard), Number(r.inferences), Number(r.good)])).toEqual([
      [oldDay, "hA", 0, 4, 1],
      [oldDay, "hB", 0, 1, 0],
      [nextDay, "hA", 0, 1, 0],
      [recent + 4 * HOUR, "hA", 5, 1, 0],
    ]);
    // The same answers as before folding, latencies included; the recent hours untouched.
    expect(await motion.outcomesOverTime("scorer", oldRange)).toEqual(before);
    expect(await motion.outcomesOverTime("scorer", recentRange)).toEqual(recentBefore);
    const day = before.series[0]!.points.find((p) => p.t === oldDay)!;
    expect([day.inferences, day.errors, day.feedback.good, day.feedback.bad, day.feedback.corrected]).toEqual([5, 1, 1, 1, 1]);
    expect(day.latencyMs!.mean).toBeCloseTo((1 + 2 + 4 + 8 + 1) / 5, 9);

    // Nothing left to fold; a late label on the folded day is folded by the next pass.
    expect((await motion.retention.pruneBookkeeping()).outcomeHours).toBe(0);
    await motion.db.tx(() => addHours({ hours: [{ trigger: "scorer", stateVersion: 0, hour: oldDay + 9 * HOUR, paramsHash: "hA", inferences: 0, errors: 0, cached: 0, latencySum: 0, good: 2, bad: 0, corrected: 0 }], latencies: [] }, 7));
    expect((await motion.retention.pruneBookkeeping()).outcomeHours).toBe(1);
    const late = await motion.outcomesOverTime("scorer", oldRange);
    expect(late.series[0]!.points.find((p) => p.t === oldDay)!.feedback.good).toBe(3);
  });
});
