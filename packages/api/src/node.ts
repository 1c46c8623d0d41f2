// A tiny bridge from Node's http server to the fetch-style `handle(request)`.
import type { IncomingMessage, ServerResponse } from "node:http";

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

const tooLarge = (res: ServerResponse) => {
  res.writeHead(413, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ error: { message: "request body too large", code: "PAYLOAD_TOO_LARGE" } }));
};

export function toNodeHandler(handle: FetchHandler, options: { origin?: string; maxBodyBytes?: number } = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (Number(req.headers["content-length"] ?? 0) > maxBodyBytes) return tooLarge(res);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > maxBodyBytes) {
          tooLarge(res);
          req.destroy();
          return;
        }
        chunks.push(chunk as Buffer);
      }
      const origin = options.origin ?? `http://${req.headers.host ?? "localhost"}`;
      const response = await handle(toRequest(req, Buffer.concat(chunks), origin));
      const headers: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") headers[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) headers["set-cookie"] = cookies;
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: (error as Error).message ?? "internal error" } }));
    }
  };
}
