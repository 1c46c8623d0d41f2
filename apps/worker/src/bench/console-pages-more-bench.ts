/**
 * Benchmark: server time of the State, Overview, Drift and Compare pages' calls, each exactly as
 * the page's components make it (apps/dashboard/src/features/{state,overview,drift}), through
 * the API's server-side caller with a signed-in admin's session. The database holds 1M
 * inferences made within the last hour (the Overview's default window sees them all) spread over
 * 10,000 state versions (each produced by a succeeded fit run with metrics, each moving `active`
 * and `latest`: 20,000 alias moves, 1 in 500 an operator's rollback), their rollups and 2,000
 * labels; and a second relation with a year of daily partitions (365 × 40 rows) profiled and
 * judged by the drift check. Paged calls are timed on their first and last page. Each figure is
 * reported in ms and as a ratio to its page's first call (the first page of its main list).
 *
 *   npm run bench -- console-pages-more   (MOTION_BENCH_PAGES_INFERENCES / _VERSIONS to change sizes)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { addHours, addMinutes, addOutcomes, defineApp, Motion, relation, rollUpHours, rollUpInferences, rollUpMinutes } from "@motion/engine";
import { all, get, insertIngest, newId, run, valuesList, type InferenceInsert, type RowInsert } from "@motion/db";
import { adminCaller } from "./admin-caller.ts";
import { events, score } from "./fixtures.ts";
import { median, type BenchResult } from "./stats.ts";

/** A relation partitioned by its own day (event time), watched for drift. */
const daily = relation("daily", {
  schema: z.object({ day: z.string(), amount: z.number(), kind: z.string(), user: z.string() }),
  partitionBy: { by: (r) => `${r.day}T12:00:00Z`, granularity: "day" },
  profile: { exclude: ["day", "user"] },
});
export const benchApp = defineApp({ name: "bench-pages-more", relations: [events, daily], triggers: [score] });

const GOAL = "≤ 50 ms";
const DAYS = 365;
const ROWS_PER_DAY = 40;

export interface BenchConsolePagesMoreOptions {
  inferences?: number;
  versions?: number;
  runs?: number;
  log?: (line: string) => void;
}

export async function fill(motion: Motion, total: number, versions: number, log: (line: string) => void): Promise<void> {
  const fillStart = performance.now();
  const started = Date.now();
  // Inferences 3 ms apart ending now: 1M span 50 minutes, all inside the Overview's last hour.
  const step = Math.min(3, (50 * 60_000) / total);
  const start = started - Math.ceil(total * step) - 60_000;
  const versionAt = (k: number) => Math.min(versions, 1 + Math.floor((k * versions) / total));
  const timeOfVersion = (v: number) => start + Math.floor(((v - 1) * total * step) / versions);
  // Versions 1..N as copies of version 0 (what fits compute is not what this measures), each
  // produced by a succeeded fit run with metrics, each moving `active` and `latest`.
  await motion.db.tx(function* () {
    const [v0] = yield* all<Record<string, unknown>>(`SELECT * FROM "StateVersion" WHERE "trigger" = 'score' AND "version" = 0`);
    for (let from = 1; from <= versions; from += 500) {
      const to = Math.min(versions, from + 499);
      const fits: unknown[] = [];
      const states: unknown[] = [];
      const moves: unknown[] = [];
      let n = 0;
      let m = 0;
      for (let v = from; v <= to; v++, n++) {
        const at = new Date(timeOfVersion(v));
        const fitId = newId(at.getTime());
        fits.push(fitId, "score", "events", "events", "succeeded", "[]", 100, "{}", "bench", 1, 3, v - 1, v, JSON.stringify({ loss: 1 / v, rows: 100 }), at, at, at, 12.5);
        states.push("score", v, v - 1, fitId, v0!.entries, v0!.size, v0!.checksum, at);
        for (const alias of ["latest", "active"]) {
          moves.push(newId(at.getTime()), "score", alias, v - 1, v, `fit:${fitId}`, null, at);
          m++;
        }
        if (v % 500 === 250) {
          // An operator's rollback and its return, as the "operator moves" filter lists them.
          moves.push(newId(at.getTime() + 1), "score", "active", v, v - 1, "ana@bench", "bench rollback", at);
          moves.push(newId(at.getTime() + 2), "score", "active", v - 1, v, "ana@bench", "bench return", at);
          m += 2;
        }
      }
      yield* run(
        `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "baseVersion", "producedVersion", "metrics", "queuedAt", "startedAt", "finishedAt", "durationMs") VALUES ${valuesList(n, 18)}`,
        fits,
      );
      yield* run(`INSERT INTO "StateVersion" ("trigger", "version", "parent", "fitRunId", "entries", "size", "checksum", "createdAt") VALUES ${valuesList(n, 8)}`, states);
      yield* run(`INSERT INTO "AliasEvent" ("id", "trigger", "alias", "fromVersion", "toVersion", "actor", "reason", "createdAt") VALUES ${valuesList(m, 8)}`, moves);
    }
    yield* run(`UPDATE "StateAlias" SET "version" = ? WHERE "trigger" = 'score' AND "name" IN ('active', 'latest')`, [versions]);
  });
  // 1M rows and inferences with their per-version and per-minute rollups, as the ingest writes them.
  const batch = 20_000;
  for (let done = 0; done < total; done += batch) {
    const n = Math.min(batch, total - done);
    const rows: RowInsert[] = new Array(n);
    const inferences: InferenceInsert[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = done + i;
      const ms = start + Math.floor(k * step);
      const createdAt = new Date(ms);
      const id = newId(ms);
      rows[i] = { id, relation: "events", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt, data: JSON.stringify({ user: `u${k % 997}`, kind: "view", value: k % 100 }) };
      inferences[i] = {
        id: newId(ms), rowId: id, relation: "events", trigger: "score", route: "events", output: JSON.stringify({ score: k % 100 }), error: k % 200 === 0 ? "boom" : null,
        stateVersion: versionAt(k), paramsHash: "bench", inputHash: `h${k}`, latencyMs: 0.05 + (k % 7) / 10, cached: k % 3 === 0, createdAt,
      };
    }
    const rollup = rollUpInferences(inferences);
    const minutes = rollUpMinutes(inferences);
    const hours = rollUpHours(inferences);
    await motion.db.tx(function* () {
      yield* insertIngest(rows, inferences, []);
      yield* addOutcomes(rollup, 0);
      yield* addMinutes(minutes, 0);
      yield* addHours(hours, 0);
    });
  }
  // 2,000 labels through the engine (its rollups and tallies), over the whole table.
  const labelEvery = Math.max(1, Math.floor(total / 2_000));
  const toLabel = await motion.db.read(() => all<{ id: string }>(`SELECT "id" FROM "Inference" WHERE _rowid_ % ? = 1 LIMIT 2000`, [labelEvery]));
  for (const [i, r] of toLabel.entries()) await motion.feedback(r.id, { label: i % 4 === 0 ? "bad" : "good", actor: `labeler${i % 3}@bench` });
  // A year of daily partitions through the engine's own ingest (profiles), then judged.
  const kinds = ["view", "click", "buy", "share"];
  const day0 = Date.UTC(2025, 11, 1);
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(day0 + d * 86_400_000).toISOString().slice(0, 10);
    await motion.addMany("daily", Array.from({ length: ROWS_PER_DAY }, (_, i) => ({ day, amount: 10 + ((d * 7 + i * 13) % 50) + (d === 300 ? 400 : 0), kind: kinds[(d + i) % 4]!, user: `u${i}` })));
  }
  await motion.drift.check("daily");
  await motion.db.tx(() => run(`ANALYZE`));
  log(`filled ${total.toLocaleString()} inferences over ${versions.toLocaleString()} versions, ${toLabel.length} labels, ${DAYS} daily partitions in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
}

export async function benchConsolePagesMore(options: BenchConsolePagesMoreOptions = {}): Promise<BenchResult[]> {
  const total = options.inferences ?? Number(process.env.MOTION_BENCH_PAGES_INFERENCES ?? 1_000_000);
  const versions = options.versions ?? Number(process.env.MOTION_BENCH_PAGES_VERSIONS ?? 10_000);
  const runs = options.runs ?? 15;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), "motion-bench-"));
  const databaseUrl = `file:${path.join(dir, "bench.db")}`;
  let motion = await Motion.open({ app: benchApp, databaseUrl, runFits: false });
  try {
    await fill(motion, total, versions, log);
    // Reopen: the aliases moved underneath the engine's cache.
    await motion.close();
    motion = await Motion.open({ app: benchApp, databaseUrl, runFits: false });
    if (motion.activeVersion("score") !== versions) throw new Error(`active is v${motion.activeVersion("score")}, not v${versions}`);

    const caller = await adminCaller(motion);

    const time = async <T>(what: string, call: () => Promise<T>, check: (result: T) => boolean = () => true) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const result = await call();
        samples.push(performance.now() - t);
        if (!check(result)) throw new Error(`${what}: unexpected result ${JSON.stringify(result).slice(0, 300)}`);
      }
      return median(samples.slice(2)); // drop warm-up
    };
    const results: BenchResult[] = [];
    let first = 0;
    const add = (page: string, name: string, value: number, note: string) => {
      if (!first) first = value;
      results.push({ name: `${page}: ${name}`, value, unit: "ms", baseline: first, ratio: value / first, goal: GOAL, note: `${note}; baseline: the page's first call` });
      log(`${page}: ${name}: ${value.toFixed(2)} ms (${(value / first).toFixed(2)}× the page's first call)${value > 50 ? "  ← over 50 ms" : ""}`);
    };
    const size = total >= 1_000_000 ? `${total / 1_000_000}M` : total.toLocaleString();
    const trigger = "score";

    // State: the version timeline (paged, 50 a page) with each page's outcomes, alias history
    // (all moves / operator moves, paged), the selected version, variants, fit metrics.
    first = 0;
    type Versions = { items: { version: number }[]; nextCursor: number | null };
    const v1 = await caller.state.versions({ trigger });
    add("State", `versions, first page of ${versions.toLocaleString()}`, await time("versions first", () => caller.state.versions({ trigger }), (p) => p.items[0]?.version === versions), "state.versions");
    const lastCursor = (v1 as Versions).items.length; // versions below it: the oldest page, down to v0
    add("State", "versions, last page", await time("versions last", () => caller.state.versions({ trigger, cursor: lastCursor }), (p) => p.items.at(-1)?.version === 0 && p.nextCursor === null), "cursor at the far end");
    const firstVersions = (v1 as Versions).items.map((v) => v.version);
    const lastVersions = (await caller.state.versions({ trigger, cursor: lastCursor })).items.map((v) => v.version);
    add("State", `outcomes of the first page's versions (${size} inferences)`, await time("outcomes first", () => caller.state.outcomes({ trigger, versions: firstVersions }), (p) => p.items.length === firstVersions.length), "state.outcomes, good-rate from the rollups");
    add("State", "outcomes of the last page's versions", await time("outcomes last", () => caller.state.outcomes({ trigger, versions: lastVersions }), (p) => p.items.length === lastVersions.length), "oldest versions");
    add("State", "triggers.get", await time("triggers.get", () => caller.triggers.get({ trigger })), "header: aliases, params");
    add("State", `alias history, first page of ${(versions * 2).toLocaleString()} moves`, await time("alias first", () => caller.state.aliasHistory({ trigger }), (p) => p.items.length > 0), "state.aliasHistory");
    const oldestMove = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "AliasEvent" WHERE "trigger" = ? ORDER BY "id" ASC LIMIT 1 OFFSET 20`, [trigger]));
    add("State", "alias history, last page", await time("alias last", () => caller.state.aliasHistory({ trigger, cursor: oldestMove!.id }), (p) => p.items.length > 0 && p.nextCursor === null), "keyset cursor at the far end");
    add("State", "alias history, operator moves only", await time("alias operator", () => caller.state.aliasHistory({ trigger, moves: "operator" }), (p) => p.items.length > 0 && p.items.every((m) => m.actor === "ana@bench")), "1 in 250 moves an operator's");
    const oldestOperator = await motion.db.read(() => get<{ id: string }>(`SELECT "id" FROM "AliasEvent" WHERE "trigger" = ? AND "actor" = 'ana@bench' ORDER BY "id" ASC LIMIT 1 OFFSET 1`, [trigger]));
    add("State", "alias history, operator moves, last page", await time("alias operator last", () => caller.state.aliasHistory({ trigger, moves: "operator", cursor: oldestOperator!.id }), (p) => p.items.length > 0 && p.nextCursor === null), "keyset cursor at the far end");
    add("State", "state.get of the active version", await time("state.get", () => caller.state.get({ trigger, version: versions })), "the selected version's detail");
    add("State", "experiments.variants", await time("variants", () => caller.experiments.variants({ trigger })), "params variants");
    add("State", "fit metrics (fits.list succeeded, 200)", await time("fit metrics", () => caller.fits.list({ trigger, status: "succeeded", limit: 200 }), (p) => p.items.length === 200), "fits with metrics");

    // Overview: the batch the page polls.
    first = 0;
    add("Overview", "triggers.list", await time("triggers.list", () => caller.triggers.list({ limit: 200 })), "the triggers' cards");
    add("Overview", `stats.overview, last hour of ${size} inferences`, await time("stats.overview", () => caller.stats.overview({ minutes: 60 }), (p) => p.triggers.reduce((n, t) => n + t.totals.inferences, 0) === total), "per-minute rollups of the last hour");
    add("Overview", "relations.list", await time("relations.list", () => caller.relations.list({ limit: 200 }), (p) => p.items.some((r) => r.name === "events" && r.rowCount === total)), "row counts");
    add("Overview", "fits.list, last 5", await time("fits recent", () => caller.fits.list({ limit: 5 }), (p) => p.items.length === 5), "recent fit runs");
    add("Overview", "review.progress", await time("review.progress", () => caller.review.progress({ trigger }), (p) => p.total === total), "waiting for a label");

    // Drift: the relation's page (summaries, heatmap, partitions), the events, one partition's
    // profile and a column's series.
    first = 0;
    const relationName = "daily";
    add("Drift", `partitions of ${DAYS} days`, await time("partitions", () => caller.drift.partitions({ relation: relationName }), (p) => p.length === DAYS), "drift.partitions");
    add("Drift", "relations (summaries)", await time("drift.relations", () => caller.drift.relations()), "drift.relations");
    add("Drift", "heatmap", await time("heatmap", () => caller.drift.heatmap({ relation: relationName })), "drift.heatmap");
    add("Drift", "alerts", await time("alerts", () => caller.drift.alerts()), "drift.alerts");
    add("Drift", "events (50)", await time("events", () => caller.drift.events({ relation: relationName, limit: 50 })), "drift.events");
    const partitions = await caller.drift.partitions({ relation: relationName });
    const newest = partitions.at(-1)!.partition;
    add("Drift", "profile of the newest partition", await time("profile", () => caller.drift.profile({ relation: relationName, partition: newest })), "drift.profile (charts' probe, partition sheet)");
    add("Drift", "profile of the oldest partition", await time("profile oldest", () => caller.drift.profile({ relation: relationName, partition: partitions[0]!.partition })), "drift.profile");
    add("Drift", `series amount.mean over ${DAYS} days`, await time("series", () => caller.drift.series({ relation: relationName, column: "amount", statistic: "mean" })), "drift.series");

    // Compare: the newest 200 versions' outcomes, the chosen pair's outcomes, diff and evaluation.
    first = 0;
    const a = versions - 1;
    const b = versions;
    add("Compare", `outcomes of the newest 200 versions (${size} inferences)`, await time("compare history", () => caller.state.outcomes({ trigger, limit: 200 }), (p) => p.items.length === 200), "quality chart and the choices");
    add("Compare", "triggers.get", await time("compare triggers.get", () => caller.triggers.get({ trigger })), "aliases");
    add("Compare", "outcomes of the pair", await time("pair", () => caller.state.outcomes({ trigger, versions: [a, b] }), (p) => p.items.length === 2), "the two columns");
    add("Compare", "outcomes of the pair over the last 7 days", await time("over time", () => caller.state.outcomesOverTime({ trigger, versions: [a, b] }), (p) => p.series.length === 2), "state.outcomesOverTime (charts)");
    add("Compare", "diff of the pair", await time("diff", () => caller.state.diff({ trigger, from: a, to: b })), "state.diff");
    add("Compare", "diff of the first and the last version", await time("diff far", () => caller.state.diff({ trigger, from: 1, to: b })), `state.diff across ${versions.toLocaleString()} versions`);
    add("Compare", "evaluate the pair", await time("evaluate", () => caller.state.evaluate({ trigger, versions: [a, b] })), "state.evaluate");
    return results;
  } finally {
    await motion.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
