// A Node http server for Motion: `/api/*` straight to the API (no framework router in front),
// everything else to an optional fallback (the console's Next.js handler), with security headers
// on both, and malformed or oversized requests (e.g. a URL past the header limit, 431) answered
// with a JSON body instead of a bare status line.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { MotionApi } from "../server.ts";
import { apiHeaders, securityHeaders } from "./security-headers.ts";

export interface CreateMotionServerOptions {
  /** Serves every path outside `/api` (e.g. Next.js's request handler). Default: JSON 404. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /** Largest request head (URL + headers) in bytes; Node's default is 16 KB. */
  maxHeaderSize?: number;
}

export function isApiPath(url: string | undefined): boolean {
  return url !== undefined && (url === "/api" || url.startsWith("/api/") || url.startsWith("/api?"));
}

function rejectClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge
      ? { code: "REQUEST_HEADER_FIELDS_TOO_LARGE", message: "the request's URL and headers are too large; send long input in a POST body (REST: POST with X-HTTP-Method-Override: GET and the query as JSON)" }
      : { code: "BAD_REQUEST", message: "malformed HTTP request" },
  );
  // The API's security headers, as on every other answer (whether the request came over https
  // is unknown here: the head was never parsed, so no HSTS).
  const headers = Object.entries(apiHeaders({ https: false }))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${headers}connection: close\r\n\r\n${body}`,
  );
}

export function createMotionServer(api: MotionApi, options: CreateMotionServerOptions = {}): http.Server {
  const server = http.createServer({ ...(options.maxHeaderSize ? { maxHeaderSize: options.maxHeaderSize } : {}) }, (req, res) => {
    if (isApiPath(req.url) || !options.fallback) return void api.node(req, res);
    const https = Boolean((req.socket as { encrypted?: boolean }).encrypted) || (api.trustProxy > 0 && String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]!.trim() === "https");
    for (const [name, value] of Object.entries(securityHeaders({ https }))) res.setHeader(name, value);
    Promise.resolve(options.fallback(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal server error");
    });
  });
  server.on("clientError", rejectClientError);
  // Subscriptions' streams never end on their own: close() ends them, then waits as usual.
  const close = server.close.bind(server);
  server.close = ((callback?: (error?: Error) => void) => {
    api.closeStreams();
    return close(callback);
  }) as typeof server.close;
  // Idle keep-alive connections stay open longer than clients and load balancers usually keep
  // them (60 s): otherwise the server may close one just as a client reuses it (a reset).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
