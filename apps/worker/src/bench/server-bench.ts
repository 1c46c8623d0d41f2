/**
 * Benchmark: the API server under real HTTP clients (autocannon), against a bare node:http
 * server answering the same queries from the same SQLite file, measured in the same run. Each
 * server runs in its own process; the load comes from this one.
 *
 * - `health` and a `rows.list` page (50 rows, API key): requests/s of Motion vs bare
 *   (goal ≥ 0.5×), alternating rounds; the ratio is the median of the per-round ratios.
 * - Mixed load, open loop: 200 concurrent clients, 70% `rows.list` / 30% `rows.add`, each
 *   client waiting a random (exponential, mean 1/rate) think time between its requests, so that
 *   together they offer a set rate: 1 and 2 requests/s per client (200 and 400 requests/s; the
 *   console's old server topped out at 246/s with p99 10 s), then 5/s per client (1,000/s). p99 vs the idle p50 of the same mix from one sequential client (goal ≤ 10×), and
 *   no errors. (autocannon's own rate limit sends each second's budget in one burst, which
 *   measures the burst, not the clients.) Plus the mix's closed-loop throughput (autocannon:
 *   clients send as fast as answers come back — a saturated server, where p99 is queueing by
 *   construction).
 *
 *   npm run bench -- server      (part of `npm run bench`)
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { insertIngest, newId, type RowInsert } from "@motion/db";
import { Motion } from "@motion/engine";
import { createMotionApi } from "@motion/api";
import { BENCH_SECRET, serverApp } from "./fixtures.ts";
import { median, percentile, type BenchResult } from "./stats.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const MOTION_PORT = Number(process.env.MOTION_BENCH_PORT ?? 3940);
const BARE_PORT = MOTION_PORT + 1;
const ROUNDS = Number(process.env.MOTION_BENCH_ROUNDS ?? 3);
const CONNECTIONS = 100;
const WARMUP_S = 2;
const MEASURE_S = 5;
const MIXED_CLIENTS = 200;
/** Offered loads (requests/s of all clients together): 1, 2 and 5 requests/s per client. */
const MIXED_RATES = (process.env.MOTION_BENCH_MIXED_RATES ?? "200,400,1000").split(",").filter(Boolean).map(Number);
const MIXED_S = 10;
const LIST_PATH = `/api/trpc/rows.list?input=${encodeURIComponent(JSON.stringify({ json: { relation: "events", limit: 50 } }))}`;

export interface Target {
  url: string;
  child: ChildProcess;
  /** Everything the process printed. */
  output: () => string;
}

export async function start(mode: "motion" | "motion-hooks" | "bare" | "bare-headers" | "probe", file: string, port: number): Promise<Target> {
  // MOTION_BENCH_CPU_PROF=<dir>: a CPU profile of the Motion server (where per-request time goes).
  const profile = mode === "motion" && process.env.MOTION_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.MOTION_BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", path.join(here, "server-target.ts"), mode, file, String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, MOTION_LOG_LEVEL: "warn" },
  });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`${mode} server exited with ${code} before it was ready`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, output: () => out };
}

export async function stop(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  const exited = new Promise((resolve) => target.child.once("close", resolve));
  target.child.kill("SIGTERM");
  await exited;
}

type Result = autocannon.Result;

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function failures(r: Result): number {
  return r.errors + r.timeouts + r.non2xx;
}

function describeFailures(r: Result): string {
  if (!failures(r)) return "0 failed";
  const statuses = Object.entries((r as Result & { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).filter(([code]) => !code.startsWith("2"));
  return `${failures(r)} failed (${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx${statuses.length ? `: ${statuses.map(([c, v]) => `${c}×${v.count}`).join(", ")}` : ""})`;
}

/** Clock ticks per second of /proc's CPU times (Linux; 100 nearly everywhere). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (ms) a process has used so far, all its threads, user and system; NaN where /proc is missing. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

interface Throughput {
  /** Requests per second. */
  rps: number;
  /** The server process's CPU time per answered request, µs: what requests/s hides on a shared machine. */
  cpuUs: number;
}

/** Requests per second after a warm-up, and the server's CPU per request; throws on any failed request. */
async function throughput(target: Target, pathAndQuery: string, headers: Record<string, string>): Promise<Throughput> {
  const url = `${target.url}${pathAndQuery}`;
  await run({ url, headers, connections: CONNECTIONS, duration: WARMUP_S });
  const before = cpuMs(target.child.pid);
  const r = await run({ url, headers, connections: CONNECTIONS, duration: MEASURE_S });
  const used = cpuMs(target.child.pid) - before;
  if (failures(r) > 0) throw new Error(`${url}: ${describeFailures(r)}`);
  return { rps: r.requests.total / MEASURE_S, cpuUs: (used * 1000) / r.requests.total };
}

/** A failed answer is a defect to chase: print what the server logged at error level (its log goes to stdout, which the bench keeps). */
function serverErrors(target: Target, log: (line: string) => void): void {
  const errors = target.output().split("\n").filter((line) => line.includes('"level":50'));
  for (const line of errors.slice(0, 5)) log(`server error: ${line.slice(0, 2000)}`);
  if (errors.length > 5) log(`server error: … ${errors.length - 5} more`);
}

export async function prepare(dir: string, log: (line: string) => void): Promise<{ file: string; key: string; cookie: string }> {
  const file = path.join(dir, "server.db");
  const motion = await Motion.open({ app: serverApp, databaseUrl: `file:${file}`, fitIn: "inline" });
  try {
    const total = 20_000;
    const start = Date.now() - total;
    const rows: RowInsert[] = [];
    for (let i = 0; i < total; i++) {
      const createdAt = new Date(start + i);
      rows.push({ id: newId(start + i), relation: "events", key: null, partition: createdAt.toISOString().slice(0, 10), createdAt, data: JSON.stringify({ user: `u${i % 97}`, kind: i % 3 ? "view" : "click", value: i % 100 }) });
    }
    await motion.db.tx(() => insertIngest(rows, [], []));
    const origin = `http://127.0.0.1:${MOTION_PORT}`;
    const api = createMotionApi({ motion, baseURL: origin, secret: BENCH_SECRET });
    const admin = { email: "bench@motion.local", password: "bench-password" };
    await api.ensureAdmin(admin);
    const signIn = await api.handle(new Request(`${origin}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(admin) }), { ip: "127.0.0.1" });
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    if (!signIn.ok || !cookie) throw new Error(`bench sign-in failed: ${signIn.status}`);
    const { key } = await api.createCaller(new Headers({ cookie })).apiKeys.create({ name: "bench", role: "labeler" });
    log(`server bench: ${total.toLocaleString()} rows in events`);
    return { file, key, cookie };
  } finally {
    await motion.close();
  }
}

/** p50 of one client sending the mix one request after another (ms, measured here). */
async function idleP50(url: string, headers: Record<string, string>, count = 600): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const add = i % 10 < 3;
    const t = performance.now();
    const response = add
      ? await fetch(`${url}/api/trpc/rows.add`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ json: { relation: "notes", row: { text: `idle ${i}` } } }) })
      : await fetch(`${url}${LIST_PATH}`, { headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`idle request failed: ${response.status}`);
    if (i >= 100) samples.push(performance.now() - t); // the first 100 warm up
  }
  return percentile(samples.sort((a, b) => a - b), 50);
}

interface MixedResult {
  served: number;
  p50: number;
  p99: number;
  failed: number;
  /** Failed requests by HTTP status (0: no answer). */
  failures: Record<string, number>;
}

/**
 * 200 clients with think time, on keep-alive connections: latencies of the mix at `rate`
 * requests/s. The clients connect and run for `warmupSeconds` first (connection set-up and
 * cold code paths are not the steady state being measured), then `seconds` are recorded.
 */
async function mixedLoad(url: string, headers: Record<string, string>, rate: number, seconds: number, warmupSeconds = 3): Promise<MixedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: MIXED_CLIENTS });
  const target = new URL(url);
  const send = (add: boolean, n: number) =>
    new Promise<number>((resolve) => {
      const body = add ? JSON.stringify({ json: { relation: "notes", row: { text: `load ${n}` } } }) : undefined;
      const req = http.request(
        { agent, host: target.hostname, port: target.port, method: add ? "POST" : "GET", path: add ? "/api/trpc/rows.add" : LIST_PATH, headers: { ...headers, ...(add ? { "content-type": "application/json" } : {}) }, timeout: 30_000 },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (error) => {
        if (process.env.MOTION_BENCH_VERBOSE) console.error(`mixed load: ${error.message}`);
        resolve(0);
      });
      req.end(body);
    });
  const latencies: number[] = [];
  let failed = 0;
  const failures: Record<string, number> = {};
  let n = 0;
  const from = performance.now() + warmupSeconds * 1000;
  const until = from + seconds * 1000;
  const meanThinkMs = (MIXED_CLIENTS / rate) * 1000;
  const client = async () => {
    // Start spread over one think time, as independent clients would.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * meanThinkMs));
    while (performance.now() < until) {
      const t = performance.now();
      const status = await send(Math.random() < 0.3, n++);
      if (t >= from) {
        latencies.push(performance.now() - t);
        if (status < 200 || status >= 300) {
          failed++;
          failures[status] = (failures[status] ?? 0) + 1;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, -Math.log(1 - Math.random()) * meanThinkMs));
    }
  };
  await Promise.all(Array.from({ length: MIXED_CLIENTS }, client));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { served: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed, failures };
}

function mixedRequests(headers: Record<string, string>): autocannon.Request[] {
  let n = 0;
  return [
    {
      setupRequest: (req) => {
        n++;
        if (Math.random() < 0.3) {
          return { ...req, method: "POST", path: "/api/trpc/rows.add", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ json: { relation: "notes", row: { text: `load ${n}` } } }) };
        }
        return { ...req, method: "GET", path: LIST_PATH, headers, body: undefined };
      },
    },
  ];
}

export async function benchServer(log: (line: string) => void = (line) => console.log(line)): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-bench-server-"));
  const targets: Target[] = [];
  try {
    const { file, key } = await prepare(dir, log);
    const auth = { authorization: `Bearer ${key}` };
    const motion = await start("motion", file, MOTION_PORT);
    targets.push(motion);
    const bare = await start("bare", file, BARE_PORT);
    targets.push(bare);
    const sameBytes = await start("bare-headers", file, BARE_PORT + 1);
    targets.push(sameBytes);
    const hooked = await start("motion-hooks", file, BARE_PORT + 2);
    targets.push(hooked);

    // Alternate rounds; each round's ratio compares runs seconds apart (the machine's load drifts).
    // [Motion, bare, bare answering with Motion's headers]
    type Triple = [number, number, number];
    const rounds: { health: Triple; list: Triple; healthCpu: Triple; listCpu: Triple; hooks: Throughput }[] = [];
    const servers = [motion, bare, sameBytes];
    const measure = async (pathAndQuery: string, headers: Record<string, string>) => {
      const out: Throughput[] = [];
      for (const target of servers) out.push(await throughput(target, pathAndQuery, headers));
      return { rps: out.map((t) => t.rps) as Triple, cpu: out.map((t) => t.cpuUs) as Triple };
    };
    for (let round = 0; round < ROUNDS; round++) {
      const h = await measure("/api/trpc/health", {});
      const l = await measure(LIST_PATH, auth);
      const [health, list] = [h.rps, l.rps];
      const hooks = await throughput(hooked, "/api/trpc/health", {});
      rounds.push({ health, list, healthCpu: h.cpu, listCpu: l.cpu, hooks });
      log(
        `server bench round ${round + 1}: health ${health[0].toFixed(0)} vs bare ${health[1].toFixed(0)} (same headers ${health[2].toFixed(0)}) req/s, ` +
          `${h.cpu[0].toFixed(0)} vs ${h.cpu[1].toFixed(0)} µs CPU per answer; rows.list ${list[0].toFixed(0)} vs bare ${list[1].toFixed(0)} (same headers ${list[2].toFixed(0)}) req/s, ` +
          `${l.cpu[0].toFixed(0)} vs ${l.cpu[1].toFixed(0)} µs CPU per answer; health with async hooks on ${hooks.rps.toFixed(0)} req/s, ${hooks.cpuUs.toFixed(0)} µs CPU per answer`,
      );
    }
    await stop(bare);
    await stop(sameBytes);
    await stop(hooked);

    const idle = await idleP50(motion.url, auth);
    const mixed: { rate: number; result: MixedResult; waitP99: number }[] = [];
    for (const rate of MIXED_RATES) {
      // How long this (shared) machine keeps a ready process off the CPU meanwhile: latency no server can beat.
      const probe = await start("probe", file, 0);
      const result = await mixedLoad(motion.url, auth, rate, MIXED_S);
      await stop(probe);
      const wait = JSON.parse(/probe (\{.*\})/.exec(probe.output())?.[1] ?? "{}") as { p99?: number; max?: number };
      const waitP99 = wait.p99 ?? NaN;
      mixed.push({ rate, result, waitP99 });
      const perClient = rate / MIXED_CLIENTS;
      log(`server bench mixed open loop, ${MIXED_CLIENTS} clients × ${perClient}/s each (${rate} req/s offered, exponential think time): p99 / idle p50 = ${(result.p99 / idle).toFixed(1)}× (goal ≤ 10), ${result.failed} errors; served ${result.served.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.failed} failed${result.failed ? ` ${JSON.stringify(result.failures)}` : ""} (idle p50 ${idle.toFixed(2)} ms; an idle process's event-loop delay p99 ${waitP99.toFixed(1)} ms, max ${(wait.max ?? NaN).toFixed(0)} ms)`);
    }
    const closed = await run({ url: motion.url, connections: MIXED_CLIENTS, duration: MIXED_S, requests: mixedRequests(auth) });
    log(
      `server bench mixed closed loop (saturation: no think time, latency ≈ ${MIXED_CLIENTS} clients / throughput), ${MIXED_CLIENTS} clients: ${(closed.requests.total / MIXED_S).toFixed(0)} req/s, ` +
        `p50 ${closed.latency.p50} ms, p99 ${closed.latency.p99} ms, p99 / idle p50 = ${(closed.latency.p99 / idle).toFixed(1)}×, ${describeFailures(closed)}`,
    );
    serverErrors(motion, log);

    const med = (pick: (r: (typeof rounds)[number]) => [number, number, number], against = 1) => ({
      motion: median(rounds.map((r) => pick(r)[0])),
      bare: median(rounds.map((r) => pick(r)[against]!)),
      ratio: median(rounds.map((r) => pick(r)[0] / pick(r)[against]!)),
    });
    const h = med((r) => r.health);
    const l = med((r) => r.list);
    const hs = med((r) => r.health, 2);
    const ls = med((r) => r.list, 2);
    const hooks = {
      rps: median(rounds.map((r) => r.hooks.rps)),
      ratio: median(rounds.map((r) => r.hooks.rps / r.health[1])),
      cpu: median(rounds.map((r) => r.hooks.cpuUs)),
      cpuRatio: median(rounds.map((r) => r.hooks.cpuUs / r.healthCpu[1])),
    };
    const hc = med((r) => r.healthCpu);
    const lc = med((r) => r.listCpu);
    const cpuNote =
      "the server process's CPU time (all threads, user + system, from /proc) over the measured seconds, per answered request; unlike requests/s it does not move with the load generator's share of this machine: when the machine is otherwise idle the req/s ratio approaches bare / Motion of this";
    return [
      { name: "Server: health through the Motion server", value: h.motion, unit: "req/s", baseline: h.bare, ratio: h.ratio, goal: "≥ 0.5", note: `bare node:http answering the same query; ${CONNECTIONS} connections; median of ${ROUNDS} rounds` },
      { name: "Server: rows.list page (50 of 20k rows, API key)", value: l.motion, unit: "req/s", baseline: l.bare, ratio: l.ratio, goal: "≥ 0.5", note: "bare node:http running the same SQL and JSON" },
      { name: "Server: health vs a bare server sending Motion's answer headers", value: hs.motion, unit: "req/s", baseline: hs.bare, ratio: hs.ratio, note: "the bare server above, answering with the security headers, vary and content-length Motion sends: the framework's cost apart from the answer's bytes" },
      { name: "Server: rows.list vs a bare server sending Motion's answer headers", value: ls.motion, unit: "req/s", baseline: ls.bare, ratio: ls.ratio, note: "as above, for the 50-row page" },
      {
        name: "Server: health with async hooks on, as `npm start` after a console sign-in",
        value: hooks.rps, unit: "req/s", baseline: h.bare, ratio: hooks.ratio,
        note: `Node 20 runs async hooks for every promise once AsyncLocalStorage is used (better-auth, Next.js); ${hooks.cpu.toFixed(0)} µs CPU per answer, ${hooks.cpuRatio.toFixed(2)}× the bare server's`,
      },
      { name: "Server: health, server CPU per answer (Motion vs bare)", value: hc.motion, unit: "µs", baseline: hc.bare, ratio: hc.ratio, note: cpuNote },
      { name: "Server: rows.list, server CPU per answer (Motion vs bare)", value: lc.motion, unit: "µs", baseline: lc.bare, ratio: lc.ratio, note: cpuNote },
      ...mixed.map(({ rate, result, waitP99 }) => ({
        name: `Server: mixed open loop p99, ${MIXED_CLIENTS} clients × ${rate / MIXED_CLIENTS}/s = ${rate} req/s offered (70% rows.list, 30% rows.add)`,
        value: result.p99,
        unit: "ms",
        baseline: idle,
        ratio: result.p99 / idle,
        goal: "≤ 10, 0 errors",
        note: `baseline: idle p50 of the mix from one client; served ${result.served.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms; ${result.failed} failed; meanwhile an idle process waited up to ${waitP99.toFixed(1)} ms (p99) for a CPU`,
      })),
      {
        name: `Server: mixed closed loop p99 (saturation, no think time), ${MIXED_CLIENTS} clients`,
        value: closed.latency.p99,
        unit: "ms",
        baseline: idle,
        ratio: closed.latency.p99 / idle,
        goal: "none: p99 here is queueing (≈ clients / throughput)",
        note: `baseline: idle p50 of the mix; throughput ${(closed.requests.total / MIXED_S).toFixed(0)} req/s, p50 ${closed.latency.p50} ms; ${describeFailures(closed)}`,
      },
    ];
  } finally {
    for (const t of targets) await stop(t);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
