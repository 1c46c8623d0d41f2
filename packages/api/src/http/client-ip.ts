// The client's address for rate limits and session records: the socket's peer by default, so no
// client can choose it with a header. Behind reverse proxies, `trustProxy: n` (MOTION_TRUST_PROXY)
// takes the address the outermost of those n proxies appended to X-Forwarded-For.
import type { IncomingMessage } from "node:http";

/** Set by Motion from the socket (or trusted proxies) before better-auth sees a request; a client's own value is dropped. */
export const CLIENT_IP_HEADER = "x-motion-client-ip";

export function trustProxyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MOTION_TRUST_PROXY;
  if (!raw || raw === "0" || raw === "false") return 0;
  if (raw === "true") return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`MOTION_TRUST_PROXY must be the number of reverse proxies in front of Motion (got ${JSON.stringify(raw)})`);
  return n;
}

function normalise(address: string): string {
  // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d.
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

export function clientIp(req: IncomingMessage, trustProxy = 0): string | null {
  const peer = req.socket.remoteAddress ? normalise(req.socket.remoteAddress) : null;
  if (trustProxy <= 0) return peer;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : header ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (hops.length < trustProxy) return peer;
  return normalise(hops[hops.length - trustProxy]!);
}
