import { afterAll, describe, expect, it } from "vitest";
import { all, get, newId, run } from "@motion/db";
import { histogramQuantile, latencyBucket, Motion, NotFoundError, ValidationError } from "../../src/index.ts";
import { outcomeApp } from "../fixtures/outcome-app.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

describe.each(factories)("per-version outcomes, diffs and label re-fits on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });
  async function open() {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app: outcomeApp, databaseUrl: db.url, fitIn: "inline" });
    opened.push(motion);
    return motion;
  }

  it("counts inferences, errors, cache hits, latency and latest labels per (version, params hash)", async () => {
    const motion = await open();
    const upper = motion.paramsOf("scorer").hash;
    // v0, params "upper": a, b, a again (a cache hit) and one infer that throws.
    const first = await motion.addMany("asks", [{ text: "a" }, { text: "b" }]);
    const again = await motion.add("asks", { text: "a" });
    const failed = await motion.add("asks", { text: "c", fail: true });
    expect(again.inferences[0]!.cached).toBe(true);
    expect(failed.inferences[0]!.error).toBe("asked to fail");
    // Still v0 (no label yet, nothing to fit), now with params "lower": one inference.
    const lowerHash = (await motion.setParams("scorer", { style: "lower" }, { actor: "test" })).hash;
    const lower = await motion.add("asks", { text: "D" });
    expect(lower.inferences[0]).toMatchObject({ stateVersion: 0, output: { answer: "d", version: 0 } });

    const [a1, b] = first.map((r) => r.inferences[0]!.id);
    const a2 = again.inferences[0]!.id;
    await motion.feedback(a1!, { label: "good", actor: "t" });
    await motion.feedback(b!, { label: "bad", correction: { answer: "B!" }, actor: "t" });
    await motion.feedback(a2, { label: "bad", actor: "t" });
    await motion.feedback(a2, { label: "good", actor: "t" }); // a relabel moves the count
    await motion.flush();

    const { versions } = await motion.outcomes("scorer", { versions: [0] });
    const v0 = versions[0]!;
    // By hand: 5 inferences (4 upper + 1 lower), 1 error, 1 cache hit; latest labels
    // a1 good, b bad (corrected), a2 good → 2 good of 3, Wilson 95% [0.2077, 0.9385].
    expect(v0).toMatchObject({ version: 0, parent: null, fit: null, inferences: 5, errors: 1, errorRate: 0.2, cached: 1, cacheHitRate: 0.2 });
    expect(v0.feedback).toMatchObject({ good: 2, bad: 1, corrected: 1, labeled: 3 });
    expect(v0.feedback.goodRate).toBeCloseTo(2 / 3, 12);
    expect(v0.feedback.interval!.low).toBeCloseTo(0.2077, 4);
    expect(v0.feedback.interval!.high).toBeCloseTo(0.9385, 4);
    expect(v0.byParams.map((p) => [p.paramsHash, p.inferences, p.errors, p.cached, p.feedback.labeled])).toEqual([
      [upper, 4, 1, 1, 3],
      [lowerHash, 1, 0, 0, 0],
    ]);
    // Latency: the mean of what add returned; p50/p99 from the same buckets the engine keeps.
    const latencies = [...first, again, failed, lower].map((r) => r.inferences[0]!.latencyMs);
    expect(v0.latencyMs!.mean).toBeCloseTo(latencies.reduce((x, y) => x + y, 0) / latencies.length, 9);
    const buckets = new Map<number, number>();
    for (const ms of latencies) buckets.set(latencyBucket(ms), (buckets.get(latencyBucket(ms)) ?? 0) + 1);
    expect(v0.latencyMs!.p50).toBeCloseTo(histogramQuantile(buckets, 0.5)!, 12);
    expect(v0.latencyMs!.p99).toBeCloseTo(histogramQuantile(buckets, 0.99)!, 12);

    // The labels were fitted: the version their fit produced carries the fit's metrics.
    const active = motion.activeVersion("scorer");
    expect(active).toBeGreaterThan(0);
    const page = await motion.outcomes("scorer", { limit: 1 });
    expect(page.versions.map((v) => v.version)).toEqual([active]);
    expect(page.nextCursor).toBe(active);
    const fitted = (await motion.outcomes("scorer", { versions: Array.from({ length: active }, (_, i) => i + 1) })).versions;
    const metrics = fitted.map((v) => v.fit!.metrics!);
    expect(metrics.reduce((n, m) => n + m.labels!, 0)).toBe(4);
    expect(fitted.every((v) => v.fit!.relation === "feedback" && v.inferences === 0)).toBe(true);
    // An inference on the new version counts there, not on v0.
    await motion.add("asks", { text: "e" });
    const after = await motion.outcomes("scorer", { versions: [active, 0] });
    expect(after.versions.map((v) => [v.version, v.inferences])).toEqual([[active, 1], [0, 5]]);
  });

  it("refuses unknown versions (NOT_FOUND) and bad input (validation, with the path)", async () => {
    const motion = await open();
    await expect(motion.outcomes("scorer", { versions: [0, 42] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(motion.outcomes("nope")).rejects.toBeInstanceOf(NotFoundError);
    const bad = await motion.outcomes("scorer", { versions: [0, -1] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).issues[0]!.path).toEqual(["versions", 1]);
    await expect(motion.outcomes("scorer", { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(motion.diffVersions("scorer", 0, 7)).rejects.toBeInstanceOf(NotFoundError);
    const badDiff = await motion.diffVersions("scorer", 0.5, 0).catch((e: unknown) => e);
    expect((badDiff as ValidationError).issues[0]!.path).toEqual(["from"]);
  });

  it("diffs two versions: keys, JSON changes, sizes, checksums and the fits and labels between them", async () => {
    const motion = await open();
    const rows = await motion.addMany("asks", [{ text: "a" }, { text: "b" }, { text: "c" }]);
    const [x, y, z] = rows.map((r) => r.inferences[0]!.id);
    await motion.feedback(x!, { label: "good", actor: "t" });
    await motion.feedback(y!, { label: "bad", correction: { answer: "no" }, actor: "t" });
    await motion.feedback(z!, { label: "good", actor: "t" });
    await motion.flush();
    const latest = motion.activeVersion("scorer");

    const back = await motion.diffVersions("scorer", latest, 0);
    expect(back).toMatchObject({ direction: "back", ancestor: 0, from: { version: latest }, to: { version: 0 }, unchanged: 0, keysTruncated: false });
    expect(back.keys.map((k) => [k.key, k.change])).toEqual([["counts", "changed"], ["draft", "added"], ["examples", "changed"], ["weights", "changed"]]);
    const counts = back.keys.find((k) => k.key === "counts")!;
    expect(counts.json!.changes).toEqual([
      { op: "change", path: ["bad"], from: "1", to: "0" },
      { op: "change", path: ["good"], from: "2", to: "0" },
    ]);
    expect(counts.size.to).toBe(Buffer.byteLength(JSON.stringify({ good: 0, bad: 0 })));
    expect(counts.checksum.from).not.toBe(counts.checksum.to);
    expect(back.keys.find((k) => k.key === "draft")!.json!.changes).toEqual([{ op: "add", path: [], to: '"first"' }]);
    const weights = back.keys.find((k) => k.key === "weights")!;
    expect(weights).toMatchObject({ json: null, kind: { from: "f32", to: "f32" }, size: { to: 4 } });
    expect(weights.note).toContain("binary");
    // Moving back to v0 leaves behind the fits of v1..latest: 3 labels, 2 good, 1 bad, 1 corrected.
    expect(back.dropped).toMatchObject({ rows: 3, labels: 3, labelCounts: { good: 2, bad: 1, corrected: 1 }, byRelation: { feedback: 3 } });
    expect(back.dropped.versions).toEqual(Array.from({ length: latest }, (_, i) => latest - i));
    expect(back.dropped.fitsTotal).toBe(latest);
    expect(back.added).toMatchObject({ rows: 0, labels: 0, fitsTotal: 0 });

    const forward = await motion.diffVersions("scorer", 0, latest);
    expect(forward.direction).toBe("forward");
    expect(forward.added.labels).toBe(3);
    expect(forward.keys.find((k) => k.key === "draft")!.json!.changes).toEqual([{ op: "remove", path: [], from: '"first"' }]);
    const same = await motion.diffVersions("scorer", latest, latest);
    expect(same).toMatchObject({ direction: "same", keys: [], unchanged: 3 });
  });

  it("a diff over more fits than it lists counts them all and lists the newest 50", async () => {
    const motion = await open();
    // 120 fitted versions on one chain (copies of v0; what they hold is not what is diffed),
    // fit k consumed k rows of asks; v60 has no fit run (as a migrated version).
    await motion.db.tx(function* () {
      const [v0] = yield* all<Record<string, unknown>>(`SELECT * FROM "StateVersion" WHERE "trigger" = 'scorer' AND "version" = 0`);
      for (let v = 1; v <= 120; v++) {
        const at = new Date(Date.now() - (200 - v) * 1000);
        const fitId = v === 60 ? null : newId(at.getTime());
        if (fitId) {
          yield* run(
            `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "producedVersion", "queuedAt", "finishedAt") VALUES (?, 'scorer', 'asks', 'asks', 'succeeded', '[]', ?, '{}', 'h', 1, 3, ?, ?, ?)`,
            [fitId, v, v, at, at],
          );
        }
        yield* run(`INSERT INTO "StateVersion" ("trigger", "version", "parent", "fitRunId", "entries", "size", "checksum", "createdAt") VALUES ('scorer', ?, ?, ?, ?, ?, ?, ?)`, [v, v - 1, fitId, v0!.entries, v0!.size, v0!.checksum, at]);
      }
    });
    const back = await motion.diffVersions("scorer", 120, 0);
    expect(back.dropped.versions).toHaveLength(120);
    expect(back.dropped.fitsTotal).toBe(119);
    const rows = 120 * 121 / 2 - 60;
    expect(back.dropped).toMatchObject({ rows, byRelation: { asks: rows }, labels: 0, labelCounts: { good: 0, bad: 0, corrected: 0 } });
    // Listed: the newest 50 fits, newest first, skipping v60 which has none.
    expect(back.dropped.fits.map((f) => f.version)).toEqual(Array.from({ length: 50 }, (_, i) => 120 - i));
    const far = await motion.diffVersions("scorer", 0, 70);
    expect(far.added.fits.map((f) => f.version)).toEqual([...Array.from({ length: 10 }, (_, i) => 70 - i), ...Array.from({ length: 40 }, (_, i) => 59 - i)]);
    expect(far.added.fitsTotal).toBe(69);
    expect(far.added.fits[0]).toMatchObject({ route: "asks", relation: "asks", rowCount: 70 });
  });

  it("a rollback can re-fit the labels the left-behind versions learned, on top of the version rolled back to", async () => {
    const motion = await open();
    const rows = await motion.addMany("asks", [{ text: "a" }, { text: "b" }]);
    await motion.feedback(rows[0]!.inferences[0]!.id, { label: "good", actor: "t" });
    await motion.feedback(rows[1]!.inferences[0]!.id, { label: "bad", actor: "t" });
    await motion.flush();
    const latest = motion.activeVersion("scorer");

    // Plain rollback: nothing re-queued, no new fit.
    expect(await motion.rollback("scorer", 0, { actor: "ops", reason: "plain" })).toEqual({ from: latest, to: 0, requeuedLabels: 0, migratedFrom: null });
    await motion.flush();
    expect(motion.activeVersion("scorer")).toBe(0);

    // Forward again, then back with re-fit: the two labels are fitted again onto v0.
    await motion.rollback("scorer", latest, { actor: "ops", reason: "forward" });
    const moved = await motion.rollback("scorer", 0, { actor: "ops", reason: "bad fit", refitLabels: true });
    expect(moved).toEqual({ from: latest, to: 0, requeuedLabels: 2, migratedFrom: null });
    const audit = await motion.db.read(() => get<{ data: unknown }>(`SELECT "data" FROM "AuditEvent" WHERE "action" = 'state.rollback' AND "reason" = 'bad fit'`));
    expect(JSON.parse(typeof audit!.data === "string" ? audit!.data : JSON.stringify(audit!.data))).toEqual({ from: latest, to: 0, pin: false, refitLabels: true, requeuedLabels: 2 });
    await motion.flush();
    const refit = motion.activeVersion("scorer");
    expect(refit).toBeGreaterThan(latest);
    const chain = await motion.db.read(() => all<{ version: unknown; parent: unknown }>(`SELECT "version", "parent" FROM "StateVersion" WHERE "trigger" = 'scorer' AND "version" > ? ORDER BY "version"`, [latest]));
    expect(Number(chain[0]!.parent)).toBe(0);
    const diff = await motion.diffVersions("scorer", 0, refit);
    expect(diff.added.labelCounts).toEqual({ good: 1, bad: 1, corrected: 0 });
    expect(diff.keys.find((k) => k.key === "counts")!.json!.changes).toEqual([
      { op: "change", path: ["bad"], from: "0", to: "1" },
      { op: "change", path: ["good"], from: "0", to: "1" },
    ]);
    // The old branch is still there: from the re-fitted version to it is a move "across".
    expect((await motion.diffVersions("scorer", refit, latest)).direction).toBe("across");
  });
});
