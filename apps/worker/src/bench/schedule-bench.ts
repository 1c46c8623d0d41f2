// The scheduler under concurrency: three OS processes on one database claim the ticks of a
// route scheduled every 5 s, over 10 minutes of simulated time (20x: 30 s real). Every cron
// instant must get exactly one run: no duplicates, none missed (a catch-up run covering two
// instants counts its extra instants as missed), and every row added is fitted exactly once.
import { spawn } from "node:child_process";
import path from "node:path";
import { all, get, toDate } from "@motion/db";
import { createThrowawayDatabase } from "@motion/db/test-support";
import { Motion } from "@motion/engine";
import type { BenchResult } from "./stats.ts";
import { SCHEDULE_BENCH_CRON, scheduleBenchApp } from "./schedule-app.ts";

const PROCESSES = 3;
const SIMULATED_MS = 10 * 60_000;
const SPEED = 20;
/** The simulated window starts half a second after a tick instant: the baseline is that tick. */
const SIM_START = Date.parse("2026-01-01T00:00:00.500Z");

function runProcess(args: string[]): Promise<{ id: number; added: number }> {
  const script = path.join(import.meta.dirname, "schedule-process.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, MOTION_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`scheduler bench process exited with ${code}`));
      const last = out.trim().split("\n").at(-1)!;
      resolve(JSON.parse(last) as { id: number; added: number });
    });
  });
}

export interface ScheduleBenchOutcome {
  expected: number;
  runs: number;
  duplicates: number;
  missed: number;
  rowsAdded: number;
  rowsFitted: number;
  byProcess: Record<string, number>;
}

export async function runScheduleBench(databaseUrl: string): Promise<ScheduleBenchOutcome> {
  // Migrate, create the state and the baseline tick (at SIM_START's instant) before the race.
  const setup = await Motion.open({ app: scheduleBenchApp, databaseUrl, fitIn: "inline", runFits: false, schedules: { auto: false, now: () => new Date(SIM_START) } });
  await setup.schedules.runDue();
  await setup.close();
  const realStart = Date.now() + 6_000; // time for the processes to start
  const endsAtReal = realStart + SIMULATED_MS / SPEED + 1_500;
  const args = (id: number) => [databaseUrl, String(SIM_START), String(realStart), String(SPEED), String(endsAtReal), String(id)];
  const reports = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => runProcess(args(i))));

  const reader = await Motion.open({ app: scheduleBenchApp, databaseUrl, fitIn: "inline", runFits: false, schedules: { auto: false } });
  try {
    const ticks = await reader.db.read(() => all<{ tickAt: unknown; claimedBy: string; status: string | null }>(
      `SELECT t."tickAt", t."claimedBy", f."status" FROM "ScheduleTick" t LEFT JOIN "FitRun" f ON f."id" = t."fitRunId" WHERE t."trigger" = 'ticker' AND t."kind" = 'run'`,
    ));
    // Every cron instant from the baseline to the last one claimed (at least the 10 minutes).
    const lastTick = Math.max(SIM_START + SIMULATED_MS, ...ticks.map((t) => toDate(t.tickAt).getTime()));
    const cron = scheduleBenchApp.trigger("ticker")!.routes[0]!.schedule!;
    const expected = cron.countBetween(new Date(SIM_START), new Date(lastTick));
    const distinct = new Set(ticks.map((t) => toDate(t.tickAt).getTime())).size;
    const succeeded = ticks.filter((t) => t.status === "succeeded").length;
    // Independent of the claim table: the state counts every fit that committed.
    const latest = await reader.db.read(() => get<{ version: unknown }>(`SELECT "version" FROM "StateAlias" WHERE "trigger" = 'ticker' AND "name" = 'latest'`));
    const state = (await reader.runner["deps"].store.load("ticker", Number(latest!.version))).state as { ticks: number; rows: number };
    const pending = await reader.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "PendingRow" WHERE "trigger" = 'ticker'`));
    const byProcess: Record<string, number> = {};
    for (const t of ticks) {
      const owner = t.claimedBy.split(":").slice(0, 2).join(":");
      byProcess[owner] = (byProcess[owner] ?? 0) + 1;
    }
    return {
      expected,
      runs: succeeded,
      duplicates: ticks.length - distinct + Math.max(0, state.ticks - succeeded),
      missed: expected - Math.min(succeeded, state.ticks),
      rowsAdded: reports.reduce((n, r) => n + r.added, 0),
      rowsFitted: state.rows + Number(pending?.n ?? 0),
      byProcess,
    };
  } finally {
    await reader.close();
  }
}

/** The benchmark: PostgreSQL (the scale-out database), three processes, 10 simulated minutes. */
export async function benchSchedules(adminUrl: string): Promise<BenchResult[]> {
  const db = await createThrowawayDatabase(adminUrl, "motion_sched_bench");
  try {
    const r = await runScheduleBench(db.url);
    console.log(`scheduler bench: ${r.expected} ticks expected, ${r.runs} runs, ${r.duplicates} duplicate, ${r.missed} missed; rows added ${r.rowsAdded}, fitted or waiting ${r.rowsFitted}; claims by process ${JSON.stringify(r.byProcess)}`);
    const note = `cron ${SCHEDULE_BENCH_CRON}, ${PROCESSES} processes, ${SIMULATED_MS / 60_000} simulated minutes at ${SPEED}x; ${r.runs}/${r.expected} ticks ran; rows ${r.rowsFitted}/${r.rowsAdded}`;
    return [
      { name: "Scheduler: duplicate runs (3 processes, 10 simulated minutes, PostgreSQL)", value: r.duplicates, unit: "runs", baseline: 0, ratio: r.duplicates === 0 ? 1 : Infinity, goal: "0", note },
      { name: "Scheduler: missed ticks (3 processes, 10 simulated minutes, PostgreSQL)", value: r.missed, unit: "ticks", baseline: 0, ratio: r.missed === 0 ? 1 : Infinity, goal: "0", note },
    ];
  } finally {
    await db.drop();
  }
}
