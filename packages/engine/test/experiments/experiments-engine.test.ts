import { afterAll, describe, expect, it } from "vitest";
import { all, get } from "@motion/db";
import { ConflictError, inCanary, inShadowSample, Motion, NotFoundError, ValidationError } from "../../src/index.ts";
import { experimentApp, shadowHold } from "../fixtures/experiment-app.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();

describe.each(factories)("experiments: candidate, shadow, canary, promote/abort and the guarded rule on %s", (_name, makeDatabase) => {
  const opened: Motion[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const m of opened) await m.close();
    for (const d of databases) await d.cleanup();
  });

  /** ranker: v1 (mode "b") fitted, active rolled back to v0 (mode "a"), v1 the candidate. */
  async function open(trigger = "ranker") {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app: experimentApp, databaseUrl: db.url, fitIn: "inline", syncIntervalMs: 0 });
    opened.push(motion);
    await motion.add("lessons", { mode: "b" });
    await motion.flush();
    expect(motion.activeVersion(trigger)).toBe(1);
    await motion.rollback(trigger, 0, { actor: "setup" });
    await motion.setCandidate(trigger, 1, { actor: "alice", reason: "try b" });
    return motion;
  }
  const events = (motion: Motion, trigger: string) =>
    motion.db.read(() => all<{ alias: string; fromVersion: unknown; toVersion: unknown; actor: string; reason: string | null }>(
      `SELECT "alias", "fromVersion", "toVersion", "actor", "reason" FROM "AliasEvent" WHERE "trigger" = ? ORDER BY "id"`, [trigger],
    )).then((rows) => rows.map((r) => ({ ...r, fromVersion: r.fromVersion === null ? null : Number(r.fromVersion), toVersion: r.toVersion === null ? null : Number(r.toVersion) })));

  it("shadow: the candidate answers sampled rows later; callers and outcomes never see it", async () => {
    const motion = await open();
    await motion.setExperiment("ranker", { shadow: { share: 1 } }, { actor: "alice" });
    const results = await motion.addMany("queries", Array.from({ length: 30 }, (_, i) => ({ user: `u${i}`, text: `q${i}` })));
    const answers = results.map((r) => r.inferences.find((x) => x.trigger === "ranker")!);
    expect(answers.every((a) => a.stateVersion === 0 && (a.output as { mode: string }).mode === "a")).toBe(true);
    await motion.shadow.idle();
    const shadows = await motion.db.read(() => all<{ stateVersion: unknown; baseVersion: unknown; differs: unknown }>(`SELECT "stateVersion", "baseVersion", "differs" FROM "ShadowInference" WHERE "trigger" = 'ranker'`));
    expect(shadows).toHaveLength(30);
    expect(shadows.every((s) => Number(s.stateVersion) === 1 && Number(s.baseVersion) === 0 && (s.differs === true || s.differs === 1))).toBe(true);
    // Not an inference of v1: outcomes and the inference list only know the caller's answers.
    const { versions } = await motion.outcomes("ranker", { versions: [0, 1] });
    expect(versions.map((v) => [v.version, v.inferences])).toEqual([[1, 0], [0, 30]]);
    const listed = await motion.searchInferences({ trigger: "ranker", limit: 100 });
    expect(listed.items.every((i) => i.stateVersion === 0)).toBe(true);

    // Labels on the caller's answers judge the shadow's: a correction equal to it → good.
    await motion.feedback(answers[0]!.id, { label: "bad", correction: { mode: "b", text: "q0" }, actor: "t" });
    await motion.feedback(answers[1]!.id, { label: "good", actor: "t" });
    const page1 = await motion.shadowRows("ranker", { differsOnly: true, limit: 20 });
    expect(page1.items).toHaveLength(20);
    const page2 = await motion.shadowRows("ranker", { differsOnly: true, limit: 20, cursor: page1.nextCursor });
    expect(page2.items).toHaveLength(10);
    expect(page2.nextCursor).toBeNull();
    const all30 = [...page1.items, ...page2.items];
    const first = all30.find((r) => r.active.inferenceId === answers[0]!.id)!;
    expect(first).toMatchObject({ differs: true, active: { version: 0, output: { mode: "a", text: "q0" }, label: "bad" }, candidate: { version: 1, output: { mode: "b", text: "q0" }, verdict: "good" } });
    expect(all30.find((r) => r.active.inferenceId === answers[1]!.id)!.candidate.verdict).toBeNull();
    const summary = await motion.shadowSummary("ranker", 1);
    expect(summary).toMatchObject({ shadowed: 30, differing: 30, judged: 1, activeGood: 0, candidateGood: 1 });

    // Deleting a row deletes the shadow answers to it.
    await motion.deleteRow(results[29]!.id, { actor: "t" });
    expect(Number((await motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "ShadowInference"`)))!.n)).toBe(29);
    expect(page1.items[0]!.diff.changes).toEqual([{ op: "change", path: ["mode"], from: '"a"', to: '"b"' }]);

    // Share 0 (or no candidate): nothing more is shadowed.
    await motion.setExperiment("ranker", { shadow: { share: 0 } }, { actor: "alice" });
    await motion.add("queries", { user: "later", text: "x" });
    await motion.shadow.idle();
    expect(Number((await motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "ShadowInference"`)))!.n)).toBe(29);
  });

  it("shadow: a share samples rows by their id, the same rows in every process", async () => {
    const motion = await open();
    await motion.setExperiment("ranker", { shadow: { share: 0.3 } }, { actor: "alice" });
    const results = await motion.addMany("queries", Array.from({ length: 400 }, (_, i) => ({ user: "one-caller", text: `s${i}` })));
    await motion.shadow.idle();
    const answers = new Map(results.map((r) => [r.inferences.find((x) => x.trigger === "ranker")!.id, r.id]));
    const shadowed = await motion.db.read(() => all<{ inferenceId: string }>(`SELECT "inferenceId" FROM "ShadowInference" WHERE "trigger" = 'ranker'`));
    const sampledRows = new Set(shadowed.map((s) => answers.get(s.inferenceId)));
    // Exactly the rows the row-id sample picks — recomputable — and about 30% of them, though
    // every row has the same caller (a sample by routing key would take all or none).
    expect([...sampledRows].sort()).toEqual(results.map((r) => r.id).filter((id) => inShadowSample("ranker", id, 0.3)).sort());
    expect(sampledRows.size).toBeGreaterThan(400 * 0.2);
    expect(sampledRows.size).toBeLessThan(400 * 0.4);
    expect(inShadowSample("ranker", results[0]!.id, 0)).toBe(false);
    expect(inShadowSample("ranker", results[0]!.id, 1)).toBe(true);
  });

  it("a row deleted before its shadow answer is written leaves no shadow answer behind", async () => {
    const motion = await open();
    await motion.setExperiment("ranker", { shadow: { share: 1 } }, { actor: "alice" });
    const deletedBefore = motion.shadow.stats.deleted;
    let release = () => {};
    shadowHold.until = new Promise<void>((resolve) => (release = resolve));
    try {
      const results = await motion.addMany("queries", Array.from({ length: 10 }, (_, i) => ({ user: `d${i}`, text: `d${i}` })));
      // Deleted (a data-removal request) while the candidate is still answering them.
      for (const r of results.slice(0, 5)) await motion.deleteRow(r.id, { actor: "t" });
    } finally {
      release();
      shadowHold.until = null;
    }
    await motion.shadow.idle();
    const count = async (sql: string) => Number((await motion.db.read(() => get<{ n: unknown }>(sql)))!.n);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "ShadowInference" s WHERE NOT EXISTS (SELECT 1 FROM "Inference" i WHERE i."id" = s."inferenceId")`)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "ShadowInference"`)).toBe(5);
    expect(motion.shadow.stats.deleted - deletedBefore).toBe(5);
  });

  it("canary: a stable share of routing keys is served by the candidate", async () => {
    const motion = await open();
    await motion.setExperiment("ranker", { canary: { share: 0.3 } }, { actor: "alice" });
    const served = new Map<string, number>();
    for (let chunk = 0; chunk < 5; chunk++) {
      const rows = Array.from({ length: 2000 }, (_, i) => ({ user: `user-${chunk * 2000 + i}`, text: "q" }));
      const results = await motion.addMany("queries", rows);
      for (const r of results) served.set(r.key!, r.inferences.find((x) => x.trigger === "ranker")!.stateVersion);
    }
    const onCandidate = [...served.values()].filter((v) => v === 1).length;
    expect(Math.abs(onCandidate / 10_000 - 0.3)).toBeLessThanOrEqual(0.03);
    for (const [key, version] of served) expect(version === 1).toBe(inCanary("ranker", key, 0.3));
    // Same key again: same side. An explicit routingKey overrides the row's key.
    const again = await motion.addMany("queries", ["user-1", "user-2", "user-3", "user-4"].map((user) => ({ user, text: "again" })));
    expect(again.map((r) => r.inferences.find((x) => x.trigger === "ranker")!.stateVersion)).toEqual(["user-1", "user-2", "user-3", "user-4"].map((k) => served.get(k)));
    const inside = [...served].find(([, v]) => v === 1)![0];
    const pinnedTo = await motion.add("queries", { user: "someone-else", text: "r" }, { routingKey: inside });
    expect(pinnedTo.inferences.find((x) => x.trigger === "ranker")!.stateVersion).toBe(1);
    // Canary answers are the candidate's own inferences: they count on its version.
    const { versions } = await motion.outcomes("ranker", { versions: [1] });
    expect(versions[0]!.inferences).toBe(onCandidate + again.filter((r) => r.inferences.find((x) => x.trigger === "ranker")!.stateVersion === 1).length + 1);
  });

  it("promote and abort are alias moves with actor and reason, audited; a pin is kept", async () => {
    const motion = await open();
    expect(await motion.experiment("ranker")).toMatchObject({ active: 0, candidate: 1, pinned: false, source: "declared" });
    await expect(motion.promote("ranker", { actor: "" })).rejects.toBeInstanceOf(ValidationError);
    expect(await motion.promote("ranker", { actor: "alice", reason: "b is better" })).toEqual({ from: 0, to: 1, pinned: false });
    expect(motion.activeVersion("ranker")).toBe(1);
    expect((await motion.add("queries", { user: "u", text: "t" })).inferences.find((x) => x.trigger === "ranker")!.output).toMatchObject({ mode: "b" });
    await expect(motion.promote("ranker", { actor: "alice" })).rejects.toBeInstanceOf(ConflictError);

    // Pinned at v0, candidate v1, abort; then again and promote: still pinned, fits still held.
    await motion.rollback("ranker", 0, { actor: "bob", pin: true });
    await motion.setCandidate("ranker", 1, { actor: "bob" });
    expect(await motion.abort("ranker", { actor: "bob", reason: "not now" })).toEqual({ from: 1 });
    expect((await motion.experiment("ranker")).candidate).toBeNull();
    await motion.setCandidate("ranker", 1, { actor: "bob" });
    expect(await motion.promote("ranker", { actor: "bob" })).toEqual({ from: 0, to: 1, pinned: true });
    expect((await motion.experiment("ranker")).pinned).toBe(true);

    const moves = (await events(motion, "ranker")).filter((e) => e.actor === "alice" || e.actor === "bob");
    expect(moves).toEqual([
      { alias: "candidate", fromVersion: null, toVersion: 1, actor: "alice", reason: "try b" },
      { alias: "active", fromVersion: 0, toVersion: 1, actor: "alice", reason: "b is better" },
      { alias: "candidate", fromVersion: 1, toVersion: null, actor: "alice", reason: "b is better" },
      { alias: "active", fromVersion: 1, toVersion: 0, actor: "bob", reason: null },
      { alias: "candidate", fromVersion: null, toVersion: 1, actor: "bob", reason: null },
      { alias: "candidate", fromVersion: 1, toVersion: null, actor: "bob", reason: "not now" },
      { alias: "candidate", fromVersion: null, toVersion: 1, actor: "bob", reason: null },
      { alias: "active", fromVersion: 0, toVersion: 1, actor: "bob", reason: "promote" },
      { alias: "candidate", fromVersion: 1, toVersion: null, actor: "bob", reason: "promote" },
    ]);
    const audit = await motion.auditEvents({ limit: 50 });
    expect(audit.items.filter((a) => a.target === "ranker" && a.action !== "state.rollback").map((a) => a.action).reverse()).toEqual([
      "state.candidate", "state.promote", "state.candidate", "state.abort", "state.candidate", "state.promote",
    ]);
  });

  it("rejects bad input with its path: shares outside 0..1, unknown versions, the active version", async () => {
    const motion = await open();
    const err = await motion.setExperiment("ranker", { shadow: { share: 1.5 } }, { actor: "a" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]!.path).toEqual(["shadow", "share"]);
    const neg = await motion.setExperiment("ranker", { canary: { share: -0.1 } }, { actor: "a" }).catch((e: unknown) => e);
    expect((neg as ValidationError).issues[0]!.path).toEqual(["canary", "share"]);
    await expect(motion.setCandidate("ranker", 99, { actor: "a" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(motion.setCandidate("ranker", 0, { actor: "a" })).rejects.toBeInstanceOf(ConflictError);
    await expect(motion.setCandidate("nope", 1, { actor: "a" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("another process follows candidate and settings changes (notification or periodic check)", async () => {
    const motion = await open();
    const other = await Motion.open({ app: experimentApp, database: motion.db, runFits: false, syncIntervalMs: 100 });
    opened.unshift(other);
    const servedBy = async () => (await other.add("queries", { user: "same-user", text: "x" })).inferences.find((i) => i.trigger === "ranker")!.stateVersion;
    expect(await servedBy()).toBe(0);
    await motion.setExperiment("ranker", { canary: { share: 1 } }, { actor: "alice" });
    await expect.poll(servedBy, { timeout: 5000, interval: 100 }).toBe(1);
    await motion.abort("ranker", { actor: "alice" });
    await expect.poll(servedBy, { timeout: 5000, interval: 100 }).toBe(0);
  });

  it("the guarded rule aborts a candidate that is significantly worse, as a move by rule:<name>", async () => {
    const motion = await open("guarded");
    // Declared canary 0.5: label active's answers good, the candidate's bad, until both have 20.
    let user = 0;
    const counts = { 0: 0, 1: 0 } as Record<number, number>;
    while ((counts[0]! < 20 || counts[1]! < 20) && (await motion.experiment("guarded")).candidate !== null) {
      const r = await motion.add("queries", { user: `g${user++}`, text: "q" });
      const inf = r.inferences.find((x) => x.trigger === "guarded")!;
      if (counts[inf.stateVersion]! >= 20) continue;
      counts[inf.stateVersion]!++;
      // 20 good of 20 vs 10 good of 20: pooled 0.75, se = sqrt(0.75·0.25·0.1) = 0.136931, z = −3.6515 → abort.
      await motion.feedback(inf.id, { label: inf.stateVersion === 0 || counts[1]! % 2 === 0 ? "good" : "bad", actor: "t" });
    }
    const view = await motion.experiment("guarded");
    expect(view).toMatchObject({ active: 0, candidate: null });
    const ruleMoves = (await events(motion, "guarded")).filter((e) => e.actor === "rule:quality");
    expect(ruleMoves).toHaveLength(1);
    expect(ruleMoves[0]).toMatchObject({ alias: "candidate", fromVersion: 1, toVersion: null });
    expect(ruleMoves[0]!.reason).toContain("z = -3.651");
  });

  it("the rule also runs on a timer: labels stored before the rule was set are decided without a new label", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const motion = await Motion.open({ app: experimentApp, databaseUrl: db.url, fitIn: "inline", syncIntervalMs: 0, experiments: { ruleIntervalMs: 50 } });
    opened.unshift(motion);
    await motion.add("lessons", { mode: "b" });
    await motion.flush();
    await motion.rollback("ranker", 0, { actor: "setup" });
    await motion.setCandidate("ranker", 1, { actor: "alice" });
    await motion.setExperiment("ranker", { canary: { share: 0.5 } }, { actor: "alice" });
    // No rule yet: labels are only counted. Active all good, the candidate all bad.
    const counts: Record<number, number> = { 0: 0, 1: 0 };
    for (let user = 0; counts[0]! < 10 || counts[1]! < 10; user++) {
      const inf = (await motion.add("queries", { user: `t${user}`, text: "q" })).inferences.find((x) => x.trigger === "ranker")!;
      if (counts[inf.stateVersion]! >= 10) continue;
      counts[inf.stateVersion]!++;
      await motion.feedback(inf.id, { label: inf.stateVersion === 0 ? "good" : "bad", actor: "t" });
    }
    expect((await motion.experiment("ranker")).candidate).toBe(1);
    await motion.setExperiment("ranker", { rule: { name: "timed", minLabels: 10, confidence: 0.95 } }, { actor: "alice" });
    await expect.poll(async () => (await motion.experiment("ranker")).candidate, { timeout: 5000, interval: 50 }).toBeNull();
    const moves = (await events(motion, "ranker")).filter((e) => e.actor === "rule:timed");
    expect(moves).toEqual([expect.objectContaining({ alias: "candidate", fromVersion: 1, toVersion: null })]);
  });
});
