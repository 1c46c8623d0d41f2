// Shutdown over real sockets: an answer in progress is finished and delivered, an idle
// keep-alive connection does not hold the close, new connections are refused, and a request
// that never finishes is dropped at the deadline instead of holding the process.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { closeGracefully, shutdownTimeoutFromEnv } from "../src/index.ts";

function get(port: number, path: string, agent?: http.Agent): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, agent }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe("closeGracefully", () => {
  it("finishes the answer in progress, does not wait for idle keep-alive connections, refuses new ones", async () => {
    const { server, port } = await listen((req, res) => {
      if (req.url === "/slow") setTimeout(() => res.end("done"), 300);
      else res.end("fast");
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    expect((await get(port, "/fast", agent)).body).toBe("fast"); // leaves an idle keep-alive socket
    const slow = get(port, "/slow", agent); // keep-alive: its socket would stay open after the answer
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const closed = closeGracefully(server, 5000);
    await expect(get(port, "/fast")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(await slow).toMatchObject({ status: 200, body: "done" });
    expect(await closed).toBe("drained");
    // Well before the 65 s keep-alive of the idle socket, and after the slow answer.
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(3000);
    agent.destroy();
  });

  it("drops what has not finished at the deadline", async () => {
    const { server, port } = await listen(() => undefined); // never answers
    const stuck = get(port, "/stuck").then(() => "answered", (error: NodeJS.ErrnoException) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    expect(await closeGracefully(server, 200)).toBe("forced");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await stuck).toBe("ECONNRESET");
  });

  it("reads its deadline from MOTION_SHUTDOWN_TIMEOUT_MS and names a bad value", () => {
    expect(shutdownTimeoutFromEnv({})).toBe(10_000);
    expect(shutdownTimeoutFromEnv({ MOTION_SHUTDOWN_TIMEOUT_MS: "2500" })).toBe(2500);
    expect(() => shutdownTimeoutFromEnv({ MOTION_SHUTDOWN_TIMEOUT_MS: "soon" })).toThrow(/MOTION_SHUTDOWN_TIMEOUT_MS/);
  });
});
