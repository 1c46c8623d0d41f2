// A bridge from Node's http server to any fetch-style handler. For the Motion API itself use
// `api.node` (or `createMotionServer`), which also knows the client's IP and skips the fetch
// objects on the hot path.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, discardRest, readBody } from "./http/body.ts";

export type FetchHandler = (request: Request) => Promise<Response>;

export function toRequest(req: IncomingMessage, body: Buffer | null, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: method === "GET" || method === "HEAD" || !body?.length ? undefined : new Uint8Array(body),
  });
}

export function toNodeHandler(handle: FetchHandler, options: { origin?: string; maxBodyBytes?: number } = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const method = req.method ?? "GET";
      let body: Buffer | null = null;
      if (method !== "GET" && method !== "HEAD") {
        try {
          body = await readBody(req, maxBodyBytes);
        } catch (error) {
          if (!(error instanceof BodyTooLargeError)) throw error;
          res.writeHead(413, { "content-type": "application/json" });
          res.end(JSON.stringify({ code: "PAYLOAD_TOO_LARGE", message: "request body too large" }));
          discardRest(req);
          return;
        }
      }
      const origin = options.origin ?? `http://${req.headers.host ?? "localhost"}`;
      const response = await handle(toRequest(req, body, origin));
      const headers: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") headers[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) headers["set-cookie"] = cookies;
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      // Never echo an internal message: the handler logs its own errors.
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error" }));
    }
  };
}
