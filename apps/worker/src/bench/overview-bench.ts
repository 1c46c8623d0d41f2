/**
 * Benchmark: does an operator watching the console slow down the API's writers? With ~100k
 * inferences stored in the last hour, clients add rows (`rows.add`, each running an infer) at
 * a steady rate, alternately alone and while the console's Overview queries (the batch its
 * page sends: triggers, stats.overview, relations, recent fits, review progress) are polled
 * every 3 s with an operator's session cookie. Goal: rows.add p99 with the polling ≤ 1.5× the
 * p99 without, measured in the same run (rounds alternate; the machine's load drifts).
 *
 *   npm run bench -- overview      (part of `npm run bench`)
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { insertIngest, newId, type InferenceInsert, type RowInsert } from "@motion/db";
import { addMinutes, addOutcomes, Motion, rollUpInferences, rollUpMinutes } from "@motion/engine";
import { serverApp } from "./fixtures.ts";
import { prepare, start, stop, type Target } from "./server-bench.ts";
import { percentile, type BenchResult } from "./stats.ts";

const PORT = Number(process.env.MOTION_BENCH_PORT ?? 3940) + 2;
const INFERENCES = Number(process.env.MOTION_BENCH_OVERVIEW_INFERENCES ?? 100_000);
const CLIENTS = 20;
/** Offered rows.add rate (requests/s) from all clients together. */
const RATE = 100;
const PHASE_S = 10;
const POLL_MS = 3_000;
const ROUNDS = Number(process.env.MOTION_BENCH_OVERVIEW_ROUNDS ?? 4);

/** ~100k inferences of `tagger` spread over the last hour, stored the way ingest stores them (with their rollups). */
export async function seed(file: string, log: (line: string) => void): Promise<void> {
  const motion = await Motion.open({ app: serverApp, databaseUrl: `file:${file}`, fitIn: "inline", drift: { autoCheck: false }, retention: { auto: false } });
  try {
    const now = Date.now();
    const batch = 5_000;
    for (let done = 0; done < INFERENCES; done += batch) {
      const rows: RowInsert[] = [];
      const inferences: InferenceInsert[] = [];
      for (let i = done; i < Math.min(INFERENCES, done + batch); i++) {
        const at = now - 3_600_000 + Math.floor((i / INFERENCES) * 3_590_000);
        const createdAt = new Date(at);
        const rowId = newId(at);
        rows.push({ id: rowId, relation: "notes", key: null, data: JSON.stringify({ text: `seeded ${i}` }), partition: createdAt.toISOString().slice(0, 10), createdAt });
        inferences.push({
          id: newId(at), rowId, relation: "notes", trigger: "tagger", route: "notes", output: `{"length":${String(i).length + 7}}`, error: null,
          stateVersion: 0, paramsHash: motion.paramsOf("tagger").hash, inputHash: "", latencyMs: 0.02 + (i % 100) / 1000, cached: false, createdAt,
        });
      }
      await motion.db.tx(function* () {
        yield* insertIngest(rows, inferences, []);
        yield* addOutcomes(rollUpInferences(inferences), 0);
        yield* addMinutes(rollUpMinutes(inferences), 0);
      });
    }
    log(`overview bench: ${INFERENCES.toLocaleString()} inferences in the last hour`);
  } finally {
    await motion.close();
  }
}

/** The batch of queries the console's Overview page sends when it (re)loads its data. */
function overviewPath(): string {
  const calls: [string, unknown][] = [
    ["triggers.list", { limit: 100 }],
    ["stats.overview", { minutes: 60 }],
    ["relations.list", { limit: 100 }],
    ["fits.list", { limit: 5 }],
    ["review.progress", { trigger: "tagger" }],
  ];
  const input = Object.fromEntries(calls.map(([, json], i) => [i, { json }]));
  return `/api/trpc/${calls.map(([p]) => p).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}

interface Phase {
  latencies: number[];
  failed: number;
  polls: number[];
}

/** `CLIENTS` clients adding rows with exponential think time for PHASE_S seconds; optionally the Overview polled every 3 s. */
async function phase(target: Target, auth: Record<string, string>, cookie: string, polling: boolean): Promise<Phase> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 1 });
  const url = new URL(target.url);
  const request = (method: string, requestPath: string, headers: Record<string, string>, body?: string) =>
    new Promise<number>((resolve) => {
      const req = http.request({ agent, host: url.hostname, port: url.port, method, path: requestPath, headers, timeout: 30_000 }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => resolve(0));
      req.end(body);
    });
  const until = performance.now() + PHASE_S * 1000;
  const out: Phase = { latencies: [], failed: 0, polls: [] };
  const meanThinkMs = (CLIENTS / RATE) * 1000;
  let n = 0;
  const client = async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * meanThinkMs));
    while (performance.now() < until) {
      const t = performance.now();
      const status = await request("POST", "/api/trpc/rows.add", { ...auth, "content-type": "application/json" }, JSON.stringify({ json: { relation: "notes", row: { text: `load ${n++}` } } }));
      out.latencies.push(performance.now() - t);
      if (status !== 200) out.failed++;
      await new Promise((resolve) => setTimeout(resolve, -Math.log(1 - Math.random()) * meanThinkMs));
    }
  };
  const poller = async () => {
    const overview = overviewPath();
    while (performance.now() < until) {
      const t = performance.now();
      const status = await request("GET", overview, { cookie });
      if (status !== 200) throw new Error(`overview poll answered ${status}`);
      out.polls.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, POLL_MS - (performance.now() - t))));
    }
  };
  await Promise.all([...Array.from({ length: CLIENTS }, client), ...(polling ? [poller()] : [])]);
  agent.destroy();
  return out;
}

export async function benchOverview(log: (line: string) => void = (line) => console.log(line)): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-bench-overview-"));
  let target: Target | null = null;
  try {
    const { file, key, cookie } = await prepare(dir, log);
    await seed(file, log);
    target = await start("motion", file, PORT);
    const auth = { authorization: `Bearer ${key}` };
    await phase(target, auth, cookie, true); // warm-up: connections, code paths, the reader thread
    const quiet: number[] = [];
    const watched: number[] = [];
    const polls: number[] = [];
    let failed = 0;
    const rounds: [number, number][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = await phase(target, auth, cookie, false);
      const b = await phase(target, auth, cookie, true);
      quiet.push(...a.latencies);
      watched.push(...b.latencies);
      polls.push(...b.polls);
      failed += a.failed + b.failed;
      const p99 = (xs: number[]) => percentile([...xs].sort((x, y) => x - y), 99);
      rounds.push([p99(a.latencies), p99(b.latencies)]);
      log(`overview bench round ${round + 1}: rows.add p99 ${rounds.at(-1)![0].toFixed(1)} ms alone, ${rounds.at(-1)![1].toFixed(1)} ms with the Overview polled (${b.polls.length} polls, slowest ${Math.max(...b.polls).toFixed(0)} ms)`);
    }
    quiet.sort((x, y) => x - y);
    watched.sort((x, y) => x - y);
    polls.sort((x, y) => x - y);
    const q99 = percentile(quiet, 99);
    const w99 = percentile(watched, 99);
    return [
      {
        name: `Server: rows.add p99 while the Overview is polled every 3 s (${INFERENCES.toLocaleString()} inferences in the hour)`,
        value: w99,
        unit: "ms",
        baseline: q99,
        ratio: w99 / q99,
        goal: "≤ 1.5, 0 errors",
        note: `${CLIENTS} clients at ${RATE}/s; p50 ${percentile(watched, 50).toFixed(2)} vs ${percentile(quiet, 50).toFixed(2)} ms; ${failed} failed; Overview batch p50 ${percentile(polls, 50).toFixed(0)} ms, max ${polls.at(-1)!.toFixed(0)} ms; ${ROUNDS} alternating rounds of ${PHASE_S} s`,
      },
    ];
  } finally {
    if (target) await stop(target);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
