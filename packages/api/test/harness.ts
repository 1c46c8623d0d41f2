import { TRPCError } from "@trpc/server";
import { testDatabases, type TestDatabase, type TestDatabaseFactory as DatabaseFactory } from "@motion/db/test-support";
import { Motion, type MotionOptions } from "@motion/engine";
import { createMotionApi, type MotionApi } from "../src/index.ts";
import { testApp } from "./fixtures/app.ts";

export type { DatabaseFactory, TestDatabase };

/** SQLite always; PostgreSQL when reachable (requirePostgres warns loudly locally, throws in CI). */
export const databaseFactories = () => testDatabases("motion_api");

export const SECRET = "test-secret-test-secret-test-secret-0123456789";
export const PASSWORD = "correct horse battery";

export const PRINCIPALS = ["anonymous", "viewer", "labeler", "admin", "apikey-viewer", "apikey-labeler", "apikey-admin"] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export interface TestEnv {
  db: TestDatabase;
  motion: Motion;
  api: MotionApi;
  baseURL: string;
  headers: Record<PrincipalName, Headers>;
  emails: { viewer: string; labeler: string; admin: string };
  keys: { viewer: string; labeler: string; admin: string };
  caller(who: PrincipalName): ReturnType<MotionApi["createCaller"]>;
  close(): Promise<void>;
}

/** Signs in through the better-auth handler; returns the Cookie header and the raw Set-Cookie. */
export async function signIn(api: MotionApi, baseURL: string, email: string, password: string): Promise<{ cookie: string; setCookie: string[]; status: number }> {
  const response = await api.handle(
    new Request(`${baseURL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseURL },
      body: JSON.stringify({ email, password }),
    }),
  );
  const setCookie = response.headers.getSetCookie();
  return { cookie: setCookie.map((c) => c.split(";")[0]).join("; "), setCookie, status: response.status };
}

export async function openEnv(makeDatabase: DatabaseFactory, options: { baseURL?: string; reviewLockMs?: number; motion?: Partial<MotionOptions> } = {}): Promise<TestEnv> {
  const db = await makeDatabase();
  const motion = await Motion.open({ app: testApp, databaseUrl: db.url, fitIn: "inline", ...options.motion });
  const baseURL = options.baseURL ?? "http://localhost:3000";
  const api = createMotionApi({ motion, baseURL, secret: SECRET, reviewLockMs: options.reviewLockMs });
  const emails = { viewer: "viewer@example.com", labeler: "labeler@example.com", admin: "admin@example.com" };
  await api.ensureAdmin({ email: emails.admin, password: PASSWORD, name: "Ada Admin" });
  await api.createUser({ email: emails.viewer, password: PASSWORD, role: "viewer" });
  await api.createUser({ email: emails.labeler, password: PASSWORD, role: "labeler" });
  const cookies = {
    viewer: (await signIn(api, baseURL, emails.viewer, PASSWORD)).cookie,
    labeler: (await signIn(api, baseURL, emails.labeler, PASSWORD)).cookie,
    admin: (await signIn(api, baseURL, emails.admin, PASSWORD)).cookie,
  };
  const adminCaller = api.createCaller(new Headers({ cookie: cookies.admin }));
  const keys = {
    viewer: (await adminCaller.apiKeys.create({ name: "viewer-key", role: "viewer" })).key,
    labeler: (await adminCaller.apiKeys.create({ name: "labeler-key", role: "labeler" })).key,
    admin: (await adminCaller.apiKeys.create({ name: "admin-key", role: "admin" })).key,
  };
  const headers: Record<PrincipalName, Headers> = {
    anonymous: new Headers(),
    viewer: new Headers({ cookie: cookies.viewer }),
    labeler: new Headers({ cookie: cookies.labeler }),
    admin: new Headers({ cookie: cookies.admin }),
    "apikey-viewer": new Headers({ authorization: `Bearer ${keys.viewer}` }),
    "apikey-labeler": new Headers({ authorization: `Bearer ${keys.labeler}` }),
    "apikey-admin": new Headers({ authorization: `Bearer ${keys.admin}` }),
  };
  return {
    db,
    motion,
    api,
    baseURL,
    headers,
    emails,
    keys,
    caller: (who) => api.createCaller(headers[who]),
    async close() {
      await motion.close();
      await db.cleanup();
    },
  };
}

/** The TRPCError a call fails with (a call that succeeds fails the test). */
export async function failure(call: () => Promise<unknown>): Promise<TRPCError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** The code a call fails with and its issues' input paths (dotted), as the API's error formatter sends them. */
export async function failurePaths(call: () => Promise<unknown>): Promise<{ code: string; paths: string[] }> {
  const error = await failure(call);
  const { errorFormatter } = (await import("../src/root.ts")).appRouter._def._config;
  const shape = errorFormatter({ error, shape: { message: error.message, code: -32600, data: { code: error.code, httpStatus: 400 } }, type: "query", path: "x", input: undefined, ctx: undefined } as never) as { data: { issues: { path: (string | number)[] }[] | null } };
  return { code: error.code, paths: (shape.data.issues ?? []).map((i) => i.path.join(".")) };
}

/** The tRPC error code a call fails with, or "OK". */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    return `THREW ${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
}

/** Calls the procedure at a dotted path on a caller. */
export function procedureAt(caller: unknown, dotted: string): (input?: unknown) => Promise<unknown> {
  return dotted.split(".").reduce((node: any, key) => node[key], caller) as (input?: unknown) => Promise<unknown>;
}
