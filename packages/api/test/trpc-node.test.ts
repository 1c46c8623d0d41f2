// The Node fast path for tRPC answers exactly what tRPC's fetch adapter answers: the same
// requests through both (api.node over real HTTP, api.handle with a fetch Request) give the
// same status, headers that matter and body — successes, batches and every kind of error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServer, type TestServer } from "./server-harness.ts";

describe("tRPC on Node vs tRPC's fetch adapter", () => {
  let s: TestServer;
  let key: string;
  beforeAll(async () => {
    s = await openServer();
    key = await s.adminKey();
  });
  afterAll(async () => s?.close());

  const q = (input: unknown) => encodeURIComponent(JSON.stringify(input));

  it("gives the same answers", async () => {
    const auth = { authorization: `Bearer ${key}` };
    const json = { "content-type": "application/json" };
    const cases: [string, RequestInit][] = [
      ["/api/trpc/health", {}],
      ["/api/trpc/auth.me", { headers: auth }],
      ["/api/trpc/auth.me", {}],
      [`/api/trpc/rows.list?input=${q({ json: { relation: "questions", limit: 5 } })}`, { headers: auth }],
      [`/api/trpc/rows.list?input=${q({ json: { relation: "questions", limit: -1 } })}`, { headers: auth }],
      [`/api/trpc/rows.list?input=${q({ json: { relation: "nope" } })}`, { headers: auth }],
      [`/api/trpc/rows.list?input=${q({ json: { relation: "questions" } })}`, {}],
      [`/api/trpc/rows.list?input=${encodeURIComponent("{")}`, { headers: auth }],
      [`/api/trpc/health,auth.me?batch=1&input=${q({})}`, { headers: auth }],
      [`/api/trpc/health,nope.nothing,rows.count?batch=1&input=${q({ 2: { json: { relation: "questions" } } })}`, { headers: auth }],
      [`/api/trpc/health,rows.count?batch=1&input=${q([1])}`, { headers: auth }],
      [`/api/trpc/health,rows.add?batch=1&input=${q({})}`, { headers: auth }],
      [`/api/trpc/${Array.from({ length: 51 }, () => "health").join(",")}?batch=1&input=${q({})}`, {}],
      ["/api/trpc/%E0%A4%A", {}],
      ["/api/trpc/nope", {}],
      ["/api/trpc/rows.add", { headers: auth }],
      ["/api/trpc/rows.count", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ json: { relation: "questions" } }) }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, ...json }, body: "{not json" }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, ...json }, body: "" }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ json: { relation: "questions", row: { text: 5 } } }) }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ json: { relation: "nope", row: {} } }) }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...json }, body: JSON.stringify({ json: { relation: "questions", row: { text: "x" } } }) }],
      ["/api/trpc/rows.add,rows.add?batch=1", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ 0: { json: { relation: "nope", row: {} } }, 1: { json: { relation: "questions" } } }) }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ json: { relation: "questions", row: { text: "x" } }, meta: { values: { "row.text": ["bogus"] } } }) }],
      ["/api/trpc/triggers.setParams", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ json: { trigger: "qa", params: { prefix: 1 } } }) }],
      // The wrong method is a 405 with Allow (tRPC's adapter said 415 "Missing content-type header").
      ["/api/trpc/rows.add", { method: "PUT", headers: { ...auth } }],
      ["/api/trpc/rows.add", { method: "DELETE", headers: { ...auth, ...json }, body: "{}" }],
      ["/api/trpc/health", { method: "OPTIONS" }],
      ["/api/trpc/health", { method: "PATCH" }],
    ];
    for (const [path, init] of cases) {
      const viaNode = await fetch(`${s.url}${path}`, init);
      const viaFetch = await s.api.handle(new Request(`${s.url}${path}`, init));
      const name = `${init.method ?? "GET"} ${path.slice(0, 100)}`;
      const nodeBody = await viaNode.text();
      const fetchBody = await viaFetch.text();
      // tRPC's fetch adapter labels errors of the whole request (bad batch, bad path) text/plain;
      // their body is JSON, and the Node path says so.
      const fetchType = viaFetch.headers.get("content-type")?.startsWith("text/plain") ? "application/json" : viaFetch.headers.get("content-type");
      expect({ name, status: viaNode.status, type: viaNode.headers.get("content-type"), vary: viaNode.headers.get("vary") }).toEqual({ name, status: viaFetch.status, type: fetchType, vary: viaFetch.headers.get("vary") });
      expect([name, JSON.parse(nodeBody)]).toEqual([name, JSON.parse(fetchBody)]);
      if (!["GET", "POST"].includes(init.method ?? "GET")) {
        expect([name, viaNode.status, viaNode.headers.get("allow"), viaFetch.headers.get("allow")]).toEqual([name, 405, "GET, POST", "GET, POST"]);
        expect(JSON.parse(nodeBody)).toMatchObject({ error: { json: { data: { code: "METHOD_NOT_SUPPORTED", httpStatus: 405 } } } });
      }
    }
  });
});
