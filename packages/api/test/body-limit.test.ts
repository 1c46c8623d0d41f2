// The body limit holds while the body streams in: a chunked 100 MB upload (no Content-Length)
// gets 413 as soon as it passes the limit, and the server never holds more than about the limit
// in memory (the rest is discarded as it arrives).
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServer, type TestServer } from "./server-harness.ts";

const MB = 1024 * 1024;
const LIMIT = 10 * MB;

/** Streams `total` bytes as a chunked POST, respecting backpressure (one reused chunk: the client holds ~64 KB). */
function chunkedUpload(url: string, path: string, total: number, headers: Record<string, string>): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let done = false;
    const req = http.request(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers } });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        done = true;
        resolve({ status: res.statusCode ?? 0, body, sent });
        req.destroy();
      });
    });
    req.on("error", (error) => {
      if (!done) reject(error);
    });
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!done) req.end();
    };
    req.write("{\"json\":{\"relation\":\"questions\",\"row\":{\"text\":\"");
    pump();
  });
}

describe("body limit over HTTP", () => {
  let s: TestServer;
  let key: string;
  beforeAll(async () => {
    s = await openServer({ api: { maxBodyBytes: LIMIT } });
    key = await s.adminKey();
  });
  afterAll(async () => s?.close());

  it.each(["/api/trpc/rows.add", "/api/auth/sign-in/email"])("a chunked 100 MB body to %s: 413 while streaming, memory bounded", async (path) => {
    global.gc?.();
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = used();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, used())), 5);
    const result = await chunkedUpload(s.url, path, 100 * MB, { authorization: `Bearer ${key}` });
    clearInterval(sampler);
    peak = Math.max(peak, used());
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    // The server answered once it had seen the limit, not after the whole upload.
    expect(result.sent).toBeLessThan(100 * MB);
    expect(peak - baseline).toBeLessThan(3 * LIMIT);
    // Nothing was written.
    expect((await s.api.createCaller(new Headers({ authorization: `Bearer ${key}` })).rows.count({ relation: "questions" })).count).toBe(0);
  });

  it("a declared Content-Length over the limit is refused before any of the body is read", async () => {
    const response = await fetch(`${s.url}/api/trpc/rows.add`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ json: { relation: "questions", row: { text: "x".repeat(LIMIT) } } }) });
    expect(response.status).toBe(413);
  });

  it("a body just under the limit still goes through", async () => {
    const response = await fetch(`${s.url}/api/trpc/rows.add`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ json: { relation: "questions", row: { text: "x".repeat(LIMIT - 1024) } } }) });
    expect(response.status).toBe(200);
  });
});
