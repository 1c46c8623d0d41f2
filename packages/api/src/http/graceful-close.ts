// Stopping a server without cutting answers off: new connections are refused at once, idle
// keep-alive connections are closed (Node does that in close()), subscriptions' streams are
// ended (createMotionServer's close), and requests already being answered get until the
// deadline to finish — a deploy or a Ctrl-C then costs callers a reconnect, never a half-sent
// answer or an add that stored its row but answered with a reset. Past the deadline every
// connection left is dropped, so a stuck client cannot hold a shutdown forever.
import type http from "node:http";

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const IDLE_SWEEP_MS = 25;

/** Resolves when the server has closed: `"drained"` when every request finished in time, `"forced"` when the deadline dropped the rest. */
export function closeGracefully(server: http.Server, timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS): Promise<"drained" | "forced"> {
  return new Promise((resolve) => {
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      server.closeAllConnections();
    }, timeoutMs);
    timer.unref();
    // close() drops the connections idle now; one whose answer finishes later would wait out
    // its keep-alive (65 s): drop idle ones again until the last has gone.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve(forced ? "forced" : "drained");
    });
    // A request that still gets in on an open connection is answered, and its connection closed.
    server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!res.headersSent) res.setHeader("connection", "close");
    });
  });
}

/** MOTION_SHUTDOWN_TIMEOUT_MS, or the default (10 s). */
export function shutdownTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MOTION_SHUTDOWN_TIMEOUT_MS;
  if (raw === undefined || raw === "") return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`MOTION_SHUTDOWN_TIMEOUT_MS must be a number of milliseconds ≥ 0, got ${JSON.stringify(raw)}`);
  return ms;
}
