// A Motion server over real HTTP for the tests of the HTTP front: createMotionApi +
// createMotionServer on an ephemeral port, with helpers to sign in and to call tRPC raw.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { testDatabases, type TestDatabase, type TestDatabaseFactory } from "@motion/db/test-support";
import { Motion, type App, type MotionOptions } from "@motion/engine";
import { createMotionApi, createMotionServer, type CreateMotionApiOptions, type CreateMotionServerOptions, type MotionApi } from "../src/index.ts";
import { testApp } from "./fixtures/app.ts";
import { PASSWORD, SECRET } from "./harness.ts";

export { PASSWORD };

export interface TestServer {
  db: TestDatabase;
  motion: Motion;
  api: MotionApi;
  server: Server;
  url: string;
  adminEmail: string;
  /** Signs in with fetch (as a script would: no Origin); returns the Cookie header or throws. */
  signIn(email?: string, password?: string, headers?: Record<string, string>): Promise<string>;
  /** An admin API key. */
  adminKey(): Promise<string>;
  close(): Promise<void>;
}

export async function sqliteFactory(): Promise<TestDatabaseFactory> {
  const [, make] = (await testDatabases("motion_api_http")).find(([name]) => name === "sqlite")!;
  return make;
}

export async function openServer(
  options: { app?: App; motion?: Partial<MotionOptions>; api?: Partial<Omit<CreateMotionApiOptions, "motion" | "baseURL">>; server?: CreateMotionServerOptions; makeDatabase?: TestDatabaseFactory } = {},
): Promise<TestServer> {
  const db = await (options.makeDatabase ?? (await sqliteFactory()))();
  const motion = await Motion.open({ app: options.app ?? testApp, databaseUrl: db.url, fitIn: "inline", ...options.motion });
  // The API's origin is the server's address: take a free port first.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const url = `http://127.0.0.1:${port}`;
  const api = createMotionApi({ motion, baseURL: url, secret: SECRET, ...options.api });
  const server = createMotionServer(api, options.server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const adminEmail = "root@example.com";
  await api.ensureAdmin({ email: adminEmail, password: PASSWORD });

  async function signIn(email = adminEmail, password = PASSWORD, headers: Record<string, string> = {}): Promise<string> {
    const response = await fetch(`${url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ email, password }) });
    if (response.status !== 200) throw new Error(`sign-in ${email}: ${response.status} ${await response.text()}`);
    return response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  }
  let key: string | undefined;
  return {
    db,
    motion,
    api,
    server,
    url,
    adminEmail,
    signIn,
    async adminKey() {
      key ??= (await api.createCaller(new Headers({ cookie: await signIn() })).apiKeys.create({ name: `admin-${Date.now()}`, role: "admin" })).key;
      return key;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await motion.close();
      await db.cleanup();
    },
  };
}

/** A raw tRPC call: GET for queries, POST for mutations; the superjson envelope unwrapped. */
export async function trpc(url: string, kind: "query" | "mutation", path: string, input: unknown, headers: Record<string, string> = {}) {
  const response =
    kind === "query"
      ? await fetch(`${url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers })
      : await fetch(`${url}/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ json: input }) });
  const text = await response.text();
  const body = JSON.parse(text) as { result?: { data: { json: unknown } }; error?: { json: { message: string; code: number; data: Record<string, unknown> & { code: string; httpStatus: number } } } };
  return { status: response.status, text, headers: response.headers, data: body.result?.data.json, error: body.error?.json };
}
