// Over real HTTP: a Node http server with toNodeHandler(api.handle), the typed client with an
// API key (the README example), cookie sign-in, and malformed requests (4xx, never 5xx).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { Motion } from "@motion/engine";
import { createMotionClient } from "../src/client.ts";
import { createMotionApi, toNodeHandler, type AppRouter, type MotionApi } from "../src/index.ts";
import { testApp } from "./fixtures/app.ts";
import { databaseFactories, PASSWORD, SECRET, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("over HTTP on %s", (_name, makeDatabase) => {
  let db: TestDatabase;
  let motion: Motion;
  let api: MotionApi;
  let server: http.Server;
  let url: string;
  let adminKey: string;

  beforeAll(async () => {
    db = await makeDatabase();
    // Fits in worker threads, as in production.
    motion = await Motion.open({ app: testApp, databaseUrl: db.url });
    let handler: ReturnType<typeof toNodeHandler> = async (_req, res) => {
      res.end();
    };
    server = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    api = createMotionApi({ motion, baseURL: url, secret: SECRET });
    handler = toNodeHandler(api.handle);
    await api.bootstrap({ env: { MOTION_ADMIN_EMAIL: "root@example.com", MOTION_ADMIN_PASSWORD: PASSWORD } });
    const cookie = await signIn("root@example.com", PASSWORD);
    adminKey = (await api.createCaller(new Headers({ cookie })).apiKeys.create({ name: "readme", role: "admin" })).key;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await motion?.close();
    await db?.cleanup();
  });

  async function signIn(email: string, password: string): Promise<string> {
    const response = await fetch(`${url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ email, password }),
    });
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("motion.session_token="))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    return cookies.map((c) => c.split(";")[0]).join("; ");
  }

  it("the README flow: add a row, read the answer, label it, list versions, roll back", async () => {
    const motionClient = createMotionClient({ url, apiKey: adminKey });
    expect(await motionClient.health.query()).toMatchObject({ ok: true, database: db.provider });

    await motionClient.rows.addMany.mutate({ relation: "docs", rows: [{ url: "https://a", body: "one" }, { url: "https://b", body: "two" }] });
    const row = await motionClient.rows.add.mutate({ relation: "questions", row: { text: "what is motion?" } });
    const answer = row.inferences.find((i) => i.trigger === "qa")!;
    expect(answer.output).toMatchObject({ answer: "A: WHAT IS MOTION?" });
    expect(row.createdAt).toBeInstanceOf(Date); // superjson
    await motionClient.feedback.label.mutate({ inferenceId: answer.id, label: "bad", correction: { answer: "A framework for ML apps" } });

    // Fits run in the background; wait until both docs are in.
    for (let i = 0; i < 200 && (await motionClient.triggers.get.query({ trigger: "qa" })).latestVersion! < 2; i++) await new Promise((r) => setTimeout(r, 25));
    const versions = await motionClient.state.versions.query({ trigger: "qa" });
    expect(versions.items.map((v) => v.version)).toEqual([2, 1, 0]);
    const rolledBack = await motionClient.state.rollback.mutate({ trigger: "qa", version: 1, reason: "second doc was wrong" });
    expect(rolledBack).toMatchObject({ from: 2, to: 1 });
    const again = await motionClient.rows.add.mutate({ relation: "questions", row: { text: "and now?" } });
    expect(again.inferences.find((i) => i.trigger === "qa")).toMatchObject({ stateVersion: 1, output: { docs: 1 } });
    const audit = await motionClient.audit.list.query({ action: "state.rollback" });
    expect(audit.items[0]).toMatchObject({ actor: "apikey:readme", reason: "second doc was wrong" });
  });

  it("BAD_REQUEST carries the zod path to the client; denied calls are 401/403", async () => {
    const motionClient = createMotionClient({ url, apiKey: adminKey });
    const error = await motionClient.rows.list.query({ relation: "questions", limit: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const e = error as TRPCClientError<AppRouter>;
    expect(e.data?.code).toBe("BAD_REQUEST");
    expect(e.data?.httpStatus).toBe(400);
    expect(e.data?.issues?.map((i) => i.path)).toEqual([["limit"]]);
    const anonymous = createMotionClient({ url });
    const denied = (await anonymous.triggers.list.query().catch((x: unknown) => x)) as TRPCClientError<AppRouter>;
    expect(denied.data?.httpStatus).toBe(401);
    const viewerKey = (await motionClient.apiKeys.create.mutate({ name: "viewer", role: "viewer" })).key;
    const forbidden = (await createMotionClient({ url, apiKey: viewerKey }).state.rollback.mutate({ trigger: "qa", version: 0, reason: "x" }).catch((x: unknown) => x)) as TRPCClientError<AppRouter>;
    expect(forbidden.data?.httpStatus).toBe(403);
  });

  it("cookie sessions: sign in, auth.me, sign out", async () => {
    const cookie = await signIn("root@example.com", PASSWORD);
    const me = (await fetch(`${url}/api/trpc/auth.me`, { headers: { cookie } }).then((r) => r.json())) as any;
    expect(me.result.data.json).toMatchObject({ kind: "user", email: "root@example.com", role: "admin" });
    const out = await fetch(`${url}/api/auth/sign-out`, { method: "POST", headers: { cookie, origin: url, "content-type": "application/json" }, body: "{}" });
    expect(out.status).toBe(200);
    const after = (await fetch(`${url}/api/trpc/auth.me`, { headers: { cookie } }).then((r) => r.json())) as any;
    expect(after.result.data.json).toBeNull();
  });

  it("malformed HTTP requests get 4xx, never 5xx", async () => {
    const auth = { authorization: `Bearer ${adminKey}` };
    const requests: [string, RequestInit][] = [
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{not json" }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ json: { relation: "questions", row: { text: "x" } }, meta: { values: { "row.text": ["bogus"] } } }) }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ json: { relation: "questions", row: { text: "x" } }, meta: { values: { "__proto__.polluted": ["Date"] } } }) }],
      ["/api/trpc/rows.add", { method: "GET", headers: auth }],
      ["/api/trpc/rows.list", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{}" }],
      ["/api/trpc/nope.nothing", { method: "GET", headers: auth }],
      [`/api/trpc/rows.list?input=${encodeURIComponent("{")}`, { method: "GET", headers: auth }],
      [`/api/trpc/rows.list?input=${encodeURIComponent(JSON.stringify({ json: { relation: "questions", filter: "x" } }))}`, { method: "GET", headers: auth }],
      [`/api/trpc/${Array.from({ length: 60 }, () => "health").join(",")}?batch=1&input=${encodeURIComponent("{}")}`, { method: "GET" }],
      ["/api/trpc/rows.add", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ json: { relation: "questions", row: { text: "x".repeat(11 * 1024 * 1024) } } }) }],
      ["/api/nothing-here", { method: "GET" }],
      ["/api/auth/sign-in/email", { method: "POST", headers: { "content-type": "application/json", origin: url }, body: "{]" }],
      ["/api/auth/sign-in/email", { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify({ email: 5, password: [] }) }],
      ["/api/auth/sign-up/email", { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify({ email: "a@b.c", password: PASSWORD, name: "a" }) }],
    ];
    const statuses: string[] = [];
    for (const [path, init] of requests) {
      const response = await fetch(`${url}${path}`, init).catch((e: Error) => ({ status: `network error ${e.message}` }) as unknown as Response);
      statuses.push(`${init.method} ${path.slice(0, 60)} → ${response.status}`);
    }
    expect(statuses.filter((s) => !/→ 4\d\d$/.test(s))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
