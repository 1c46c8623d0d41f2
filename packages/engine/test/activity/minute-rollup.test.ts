// The per-minute activity rollups must equal a direct aggregate over the stored inferences:
// after concurrent writers, a restart, deletions, and when minutes merge into wider buckets.
import { afterAll, describe, expect, it } from "vitest";
import { all, insertIngest, newId, toDate, toNum, type Database, type InferenceInsert, type RowInsert } from "@motion/db";
import { addMinutes, histogramQuantiles, latencyBucket, Motion, readActivity, readLabelCounts, rollUpMinutes } from "../../src/index.ts";
import { outcomeApp } from "../fixtures/outcome-app.ts";
import { testDatabases, type TestDatabase } from "@motion/db/test-support";

const factories = await testDatabases("motion_perf_engine");
const MIN = 60_000;

interface Raw {
  trigger: string;
  minute: number;
  latencyMs: number;
  error: boolean;
}

async function rawInferences(db: Database): Promise<Raw[]> {
  const rows = await db.read(() => all<{ trigger: string; createdAt: unknown; latencyMs: unknown; error: string | null }>(`SELECT "trigger", "createdAt", "latencyMs", "error" FROM "Inference"`));
  return rows.map((r) => ({ trigger: r.trigger, minute: Math.floor(toDate(r.createdAt).getTime() / MIN) * MIN, latencyMs: toNum(r.latencyMs), error: r.error !== null }));
}

/** The rollup tables summed over shards, keyed `trigger|minute` and `trigger|minute|bucket` (zero rows dropped). */
async function storedRollups(db: Database) {
  const minutes = await db.read(() => all<{ trigger: string; minute: unknown; n: unknown; e: unknown; s: unknown }>(
    `SELECT "trigger", "minute", SUM("inferences") AS "n", SUM("errors") AS "e", SUM("latencySum") AS "s" FROM "InferenceMinute" GROUP BY "trigger", "minute"`,
  ));
  const buckets = await db.read(() => all<{ trigger: string; minute: unknown; bucket: unknown; n: unknown }>(
    `SELECT "trigger", "minute", "bucket", SUM("count") AS "n" FROM "InferenceMinuteLatency" GROUP BY "trigger", "minute", "bucket"`,
  ));
  const counts = new Map<string, { n: number; e: number; s: number }>();
  for (const m of minutes) if (toNum(m.n) !== 0) counts.set(`${m.trigger}|${toDate(m.minute).getTime()}`, { n: toNum(m.n), e: toNum(m.e), s: toNum(m.s) });
  const histogram = new Map<string, number>();
  for (const b of buckets) if (toNum(b.n) !== 0) histogram.set(`${b.trigger}|${toDate(b.minute).getTime()}|${toNum(b.bucket)}`, toNum(b.n));
  return { counts, histogram };
}

/** The same figures computed straight from the inferences. */
function expected(raw: Raw[]) {
  const counts = new Map<string, { n: number; e: number; s: number }>();
  const histogram = new Map<string, number>();
  for (const r of raw) {
    const key = `${r.trigger}|${r.minute}`;
    const c = counts.get(key) ?? { n: 0, e: 0, s: 0 };
    c.n++;
    if (r.error) c.e++;
    c.s += r.latencyMs;
    counts.set(key, c);
    const hk = `${key}|${latencyBucket(r.latencyMs)}`;
    histogram.set(hk, (histogram.get(hk) ?? 0) + 1);
  }
  return { counts, histogram };
}

async function expectRollupsMatch(db: Database) {
  const raw = await rawInferences(db);
  const want = expected(raw);
  const got = await storedRollups(db);
  expect([...got.histogram].sort()).toEqual([...want.histogram].sort());
  expect([...got.counts.keys()].sort()).toEqual([...want.counts.keys()].sort());
  for (const [key, c] of want.counts) {
    const g = got.counts.get(key)!;
    expect([g.n, g.e]).toEqual([c.n, c.e]);
    expect(g.s).toBeCloseTo(c.s, 6);
  }
  return raw;
}

describe.each(factories)("per-minute activity rollups on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });
  const open = async (url: string) => {
    const motion = await Motion.open({ app: outcomeApp, databaseUrl: url, fitIn: "inline", drift: { autoCheck: false }, retention: { auto: false } });
    opened.push(motion);
    return motion;
  };

  it("equal the inferences after concurrent writers, a restart and deletions", async () => {
    const target = await makeDatabase();
    databases.push(target);
    // Two processes' worth of writers on one database, adding at once (some infers throw).
    const [a, b] = [await open(target.url), await open(target.url)];
    const write = (m: Motion, tag: string) => (async () => {
      for (let i = 0; i < 20; i++) await m.addMany("asks", Array.from({ length: 10 }, (_, j) => ({ text: `${tag} ${i} ${j}`, fail: j === 0 })));
    })();
    await Promise.all([write(a, "a"), write(b, "b"), write(a, "a2"), write(b, "b2")]);
    let raw = await expectRollupsMatch(a.db);
    expect(raw).toHaveLength(800);
    await a.close();
    await b.close();

    // Restarted: the totals carry on from what is stored.
    const c = await open(target.url);
    const added = await c.addMany("asks", Array.from({ length: 25 }, (_, i) => ({ text: `c ${i}` })));
    raw = await expectRollupsMatch(c.db);
    expect(raw).toHaveLength(825);

    // Deleting rows subtracts their inferences.
    for (const r of added.slice(0, 5)) await c.deleteRow(r.id, { actor: "test" });
    raw = await expectRollupsMatch(c.db);
    expect(raw).toHaveLength(820);

    // Review progress counts from the rollups and labels: the same as counting inferences.
    const labeledIds = added.slice(5, 9).map((r) => r.inferences[0]!.id);
    for (const id of labeledIds) await c.feedback(id, { label: "good", actor: "t" });
    await c.feedback(labeledIds[0]!, { label: "bad", actor: "u" }); // a relabel: still one labeled inference
    const counts = await c.db.readLong(() => readLabelCounts("scorer"));
    const direct = await c.db.read(() => all<{ total: unknown; unlabeled: unknown }>(
      `SELECT COUNT(*) AS "total", SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id") THEN 1 ELSE 0 END) AS "unlabeled" FROM "Inference" i WHERE i."trigger" = ?`,
      ["scorer"],
    ));
    expect([counts.total, counts.total - counts.labeled]).toEqual([toNum(direct[0]!.total), toNum(direct[0]!.unlabeled)]);
    expect(counts).toMatchObject({ total: 820, labeled: 4 });
    expect(counts.byActor.sort((x, y) => x.actor.localeCompare(y.actor))).toEqual([{ actor: "t", label: "good", n: 4 }, { actor: "u", label: "bad", n: 1 }]);

    // What the console reads: counts exact, p50/p99 those of the merged histogram.
    const now = Date.now();
    const activity = await c.activity({ from: new Date(now - 60 * MIN), to: new Date(now + MIN), bucketMinutes: 1 });
    const scorer = activity.triggers.find((t) => t.trigger === "scorer")!;
    expect(scorer.totals.inferences).toBe(820);
    expect(scorer.totals.errors).toBe(raw.filter((r) => r.error).length);
    expect(scorer.buckets.reduce((n, bk) => n + bk.inferences, 0)).toBe(820);
    const sorted = raw.map((r) => r.latencyMs).sort((x, y) => x - y);
    for (const [q, got] of [[0.5, scorer.totals.latencyP50], [0.99, scorer.totals.latencyP99]] as const) {
      const exact = Math.max(sorted[Math.floor(q * (sorted.length - 1))]!, 0.0001);
      expect(Math.abs(got! - exact) / exact).toBeLessThanOrEqual(0.0201);
    }
  });

  it("merge minutes into the range's buckets exactly (a day in 15-minute buckets)", async () => {
    const target = await makeDatabase();
    databases.push(target);
    const motion = await open(target.url);
    // Three hours of inferences, one every 7 s, with latencies over four orders of magnitude.
    const end = Math.floor(Date.now() / (15 * MIN)) * 15 * MIN;
    const start = end - 3 * 60 * MIN;
    const rows: RowInsert[] = [];
    const inferences: InferenceInsert[] = [];
    for (let at = start + 500, i = 0; at < end; at += 7_000, i++) {
      const createdAt = new Date(at);
      const rowId = newId(at);
      rows.push({ id: rowId, relation: "asks", key: null, data: JSON.stringify({ text: `t${i}` }), partition: createdAt.toISOString().slice(0, 10), createdAt });
      inferences.push({
        id: newId(at), rowId, relation: "asks", trigger: "scorer", route: "asks", output: i % 13 ? "{}" : null, error: i % 13 ? null : "boom",
        stateVersion: 0, paramsHash: "h", inputHash: "", latencyMs: 0.05 * Math.pow(1.37, i % 29), cached: false, createdAt,
      });
    }
    await motion.db.tx(function* () {
      yield* insertIngest(rows, inferences, []);
      yield* addMinutes(rollUpMinutes(inferences), 0);
    });
    await expectRollupsMatch(motion.db);
    const provider = motion.db.provider;
    const activity = await motion.db.read(() => readActivity(provider, { triggers: ["scorer"], from: new Date(start), to: new Date(end), bucketMinutes: 15 }));
    const buckets = activity.triggers[0]!.buckets;
    expect(buckets).toHaveLength(12);
    for (const bucket of buckets) {
      const inside = inferences.filter((i) => i.createdAt.getTime() >= bucket.t && i.createdAt.getTime() < bucket.t + 15 * MIN);
      expect(bucket.inferences).toBe(inside.length);
      expect(bucket.errors).toBe(inside.filter((i) => i.error !== null).length);
      const histogram = new Map<number, number>();
      for (const i of inside) histogram.set(latencyBucket(i.latencyMs), (histogram.get(latencyBucket(i.latencyMs)) ?? 0) + 1);
      expect([bucket.latencyP50, bucket.latencyP99]).toEqual(histogramQuantiles(histogram, [0.5, 0.99]));
    }
    // The long read (worker thread on SQLite) answers the same.
    expect(await motion.activity({ from: new Date(start), to: new Date(end), bucketMinutes: 15 })).toEqual(activity);
  });
});
