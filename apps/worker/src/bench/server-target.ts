/**
 * A server the server benchmark loads, in its own process (so the load generator never shares
 * its event loop):
 *   motion  — the Motion API on the HTTP front `npm start` uses for `/api/*`
 *             (createMotionApi + createMotionServer; Next.js never sees these requests);
 *   motion-hooks — the same after one better-auth request: async hooks on, as in `npm start`
 *             once the console has been used;
 *   bare    — a bare node:http server answering the same queries straight from SQLite;
 *   bare-headers — the same, answering with the headers Motion sends (security headers, length);
 *   probe   — no server: an idle process timing its own event-loop delay, i.e. how long this
 *             machine keeps a ready Node process waiting for a CPU (printed on SIGTERM).
 *
 *   tsx server-target.ts <motion|motion-hooks|bare|bare-headers|probe> <sqlite file> <port>
 */
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import { Motion } from "@motion/engine";
import { API_VERSION, apiHeaders, createMotionApi, createMotionServer } from "@motion/api";
import { BENCH_SECRET, serverApp } from "./fixtures.ts";



const [mode, file, portArg] = process.argv.slice(2);
const port = Number(portArg);

if (mode === "motion" || mode === "motion-hooks") {
  const motion = await Motion.open({ app: serverApp, databaseUrl: `file:${file}`, fitIn: "inline" });
  const api = createMotionApi({ motion, baseURL: `http://127.0.0.1:${port}`, secret: BENCH_SECRET });
  // As `npm start` is once an operator has used the console: better-auth (and Next.js) run
  // requests in AsyncLocalStorage, which on Node 20 turns on async hooks for the whole process,
  // so from then on every promise pays for them.
  if (mode === "motion-hooks") await api.handle(new Request(`http://127.0.0.1:${port}/api/auth/get-session`), { ip: "127.0.0.1" });
  const server = createMotionServer(api);
  server.listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
  process.on("SIGTERM", () => {
    server.close();
    void motion.close().then(() => process.exit(0));
  });
} else if (mode === "bare" || mode === "bare-headers") {
  // bare-headers: the same bytes Motion answers with (its security headers, vary, a length),
  // so the two bare servers together separate the framework's cost from the answer's size.
  const answerHeaders = (body: string): Record<string, string> =>
    mode === "bare-headers"
      ? { ...apiHeaders({ https: false }), vary: "trpc-accept, accept", "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }
      : { "content-type": "application/json" };
  const db = new Database(file, { readonly: true });
  const ping = db.prepare(`SELECT 1 AS "one"`);
  const page = db.prepare(`SELECT "id", "key", "createdAt", "data" FROM "Row" WHERE "relation" = ? ORDER BY "id" DESC LIMIT ?`);
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    let body: string;
    if (url.startsWith("/api/trpc/health")) {
      ping.get();
      body = JSON.stringify({ result: { data: { json: { ok: true, version: API_VERSION, database: "sqlite", app: serverApp.name } } } });
    } else if (url.startsWith("/api/trpc/rows.list")) {
      const rows = page.all("events", 51) as { id: string; key: string | null; createdAt: number; data: string }[];
      const items = rows.slice(0, 50).map((r) => ({ id: r.id, key: r.key, createdAt: new Date(r.createdAt).toISOString(), data: JSON.parse(r.data) as unknown }));
      body = JSON.stringify({ result: { data: { json: { items, nextCursor: rows.length > 50 ? items[49]!.id : null } } } });
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, answerHeaders(body));
    res.end(body);
  });
  server.listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
  process.on("SIGTERM", () => {
    server.close();
    db.close();
    process.exit(0);
  });
} else if (mode === "probe") {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const keepAlive = setInterval(() => undefined, 1000);
  console.log("ready probe");
  process.on("SIGTERM", () => {
    clearInterval(keepAlive);
    delay.disable();
    console.log(`probe ${JSON.stringify({ p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 })}`);
    process.exit(0);
  });
} else {
  console.error("usage: server-target.ts <motion|motion-hooks|bare|bare-headers|probe> <sqlite file> <port>");
  process.exit(2);
}
