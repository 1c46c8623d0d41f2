// `npm run bench`: performance goals as ratios against raw baselines measured in the same run.
import fs from "node:fs";
import path from "node:path";
import { requirePostgres, requireRedis } from "@motion/db/test-support";
import { benchDetection, benchProfiling } from "./drift-bench.ts";
import { benchDriftLoop } from "./drift-loop-bench.ts";
import { benchRowsPage } from "./rows-bench.ts";
import { benchConsolePages } from "./console-pages-bench.ts";
import { benchConsolePagesMore } from "./console-pages-more-bench.ts";
import { benchServer } from "./server-bench.ts";
import { benchOverview } from "./overview-bench.ts";
import { benchAddLatency, benchFitIsolation, benchIngestPostgres, benchIngestSqlite } from "./engine-bench.ts";
import { benchIngestModel } from "./ingest-model-bench.ts";
import { benchTypedQueries } from "./typed-query-bench.ts";
import { benchPendingQuery, benchScaleOutFits } from "./scaleout-bench.ts";
import { benchChatbotIngest, benchChatbotQuestions } from "./chatbot-bench.ts";
import { benchOutcomes } from "./outcomes-bench.ts";
import { benchSchedules } from "./schedule-bench.ts";
import { benchShadow } from "./shadow-bench.ts";
import { benchRetention } from "./retention-bench.ts";
import type { BenchResult } from "./stats.ts";

const results: BenchResult[] = [];
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want("p1")) results.push(...(await benchIngestSqlite()));
if (want("ingest-model")) results.push(...benchIngestModel());
if (want("typed-queries")) results.push(...(await benchTypedQueries()));
if (want("p1pg")) {
  const admin = await requirePostgres();
  if (admin) results.push(await benchIngestPostgres(admin));
}
if (want("p2")) results.push(...(await benchAddLatency()));
if (want("p3")) results.push(...(await benchFitIsolation()));
if (want("drift")) {
  results.push(...(await benchProfiling()));
  results.push(...benchDetection());
}
if (want("drift") || want("drift-loop")) results.push(...(await benchDriftLoop()));
if (want("rows")) {
  const r = await benchRowsPage();
  results.push({ name: "Console rows.list page, first of 1M rows", value: r.first, unit: "ms", baseline: r.first, ratio: 1, note: "50 rows, server time through the API caller" });
  results.push({ name: "Console rows.list page, last of 1M rows", value: r.last, unit: "ms", baseline: r.first, ratio: r.last / r.first, goal: "ratio near 1 (keyset, never OFFSET)", note: "baseline: the first page" });
  const inf = r.inferences;
  results.push({ name: "Console inferences.list page, last of 1M", value: inf.last, unit: "ms", baseline: inf.first, ratio: inf.last / inf.first, goal: "≤ 50 ms, ratio near 1", note: "baseline: the first page" });
  results.push({ name: "Console inferences.list unlabeled page of 1M", value: inf.unlabeled, unit: "ms", baseline: inf.first, ratio: inf.unlabeled / inf.first, goal: "≤ 50 ms", note: "baseline: the first page" });
  results.push({ name: "Console inferences.list 'labeled good' of 1M (labels spread)", value: inf.labeled, unit: "ms", baseline: inf.first, ratio: inf.labeled / inf.first, goal: "≤ 50 ms", note: "few labels over the whole table" });
  results.push({ name: "Console inferences.list text search (10k window) of 1M", value: inf.search, unit: "ms", baseline: inf.first, ratio: inf.search / inf.first, goal: "≤ 50 ms", note: "a word nothing holds: the whole window is scanned" });
}

if (want("console-pages")) results.push(...(await benchConsolePages()));
if (want("console-pages-more")) results.push(...(await benchConsolePagesMore()));

if (want("outcomes")) results.push(...(await benchOutcomes()));
if (want("shadow")) results.push(...(await benchShadow()));

if (want("chatbot")) {
  results.push(...(await benchChatbotQuestions()));
  results.push(...(await benchChatbotIngest()));
}
if (want("p6")) {
  const admin = await requirePostgres();
  const redis = await requireRedis();
  if (admin) results.push(...(await benchPendingQuery(admin)));
  if (admin && redis) results.push(await benchScaleOutFits(admin, redis));
}
if (want("schedules")) {
  const admin = await requirePostgres();
  if (admin) results.push(...(await benchSchedules(admin)));
}
// MOTION_BENCH_RETENTION_ROWS (default 1M) and MOTION_BENCH_RETENTION_MAX_BATCH_MS (the engine's default pacing when unset).
const retentionOptions = () => ({
  rows: process.env.MOTION_BENCH_RETENTION_ROWS ? Number(process.env.MOTION_BENCH_RETENTION_ROWS) : undefined,
  maxBatchMs: process.env.MOTION_BENCH_RETENTION_MAX_BATCH_MS ? Number(process.env.MOTION_BENCH_RETENTION_MAX_BATCH_MS) : undefined,
});
if (want("retention")) results.push(...(await benchRetention("sqlite", null, retentionOptions())));
if (only.includes("retention-unpaced")) results.push(...(await benchRetention("sqlite", null, { ...retentionOptions(), maxBatchMs: 0 })));
if (want("retention-pg")) {
  const admin = await requirePostgres();
  if (admin) results.push(...(await benchRetention("postgresql", admin, retentionOptions())));
}
if (want("server")) results.push(...(await benchServer()));
if (want("overview")) results.push(...(await benchOverview()));

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(3));
const table = results.map((r) => ({ name: r.name, value: `${fmt(r.value)} ${r.unit}`, baseline: `${fmt(r.baseline)} ${r.unit}`, ratio: r.ratio.toFixed(3), goal: r.goal ?? "" }));
console.table(table);
const out = path.join(process.env.INIT_CWD ?? process.cwd(), "bench-results.json");
fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
console.log(`wrote ${out}`);
process.exit(0);
