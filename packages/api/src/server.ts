// One handler for everything the API serves: `/api/trpc/*` (tRPC, fetch adapter) and
// `/api/auth/*` (better-auth). Framework-free: Next route handlers call `handle(request)`,
// a Node process wraps it with `toNodeHandler` (./node.ts).
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Motion } from "@motion/engine";
import { bootstrapAdmin, createAuth, createUser, ensureAdmin, type BootstrapResult, type MotionAuth, type NewUser } from "./auth.ts";
import { createContext, type ApiOptions } from "./context.ts";
import { appRouter, createCaller } from "./root.ts";

export const TRPC_ENDPOINT = "/api/trpc";
export const AUTH_BASE_PATH = "/api/auth";
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface CreateMotionApiOptions {
  motion: Motion;
  /** A better-auth instance from `createAuth`; built from baseURL + secret when omitted. */
  auth?: MotionAuth;
  /** Public origin, e.g. `http://localhost:3000` (cookies, auth redirects). */
  baseURL: string;
  /** Session signing secret (≥ 32 chars); required unless `auth` is given. */
  secret?: string;
  trustedOrigins?: string[];
  reviewLockMs?: number;
}

export interface MotionApi {
  handle(request: Request): Promise<Response>;
  auth: MotionAuth;
  /** A server-side caller with the identity of these request headers (cookie or Bearer). */
  createCaller(headers?: Headers): ReturnType<typeof createCaller>;
  ensureAdmin(input: { email: string; password: string; name?: string }): ReturnType<typeof ensureAdmin>;
  createUser(input: NewUser): ReturnType<typeof createUser>;
  /** First start: MOTION_ADMIN_EMAIL/PASSWORD, or a generated admin on the embedded default. */
  bootstrap(options?: { env?: NodeJS.ProcessEnv; generate?: boolean }): Promise<BootstrapResult>;
}

function tooLarge(request: Request): boolean {
  const length = Number(request.headers.get("content-length") ?? 0);
  return Number.isFinite(length) && length > MAX_BODY_BYTES;
}

export function createMotionApi(options: CreateMotionApiOptions): MotionApi {
  const { motion } = options;
  if (!options.auth && !options.secret) throw new TypeError("createMotionApi needs `secret` (or a prebuilt `auth`)");
  const auth = options.auth ?? createAuth({ db: motion.db, baseURL: options.baseURL, secret: options.secret!, trustedOrigins: options.trustedOrigins });
  const apiOptions: Partial<ApiOptions> = options.reviewLockMs ? { reviewLockMs: options.reviewLockMs } : {};

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (tooLarge(request)) return Response.json({ error: { message: "request body too large", code: "PAYLOAD_TOO_LARGE" } }, { status: 413 });
    if (pathname === AUTH_BASE_PATH || pathname.startsWith(`${AUTH_BASE_PATH}/`)) return auth.handler(request);
    if (pathname === TRPC_ENDPOINT || pathname.startsWith(`${TRPC_ENDPOINT}/`)) {
      return fetchRequestHandler({
        endpoint: TRPC_ENDPOINT,
        req: request,
        router: appRouter,
        maxBatchSize: 50,
        createContext: () => createContext({ motion, auth, headers: request.headers, options: apiOptions }),
        onError({ error, path }) {
          if (error.code === "INTERNAL_SERVER_ERROR") motion.log.error({ path, err: error.cause?.stack ?? error.message }, "api: internal error");
        },
      });
    }
    return Response.json({ error: { message: `no route ${pathname}`, code: "NOT_FOUND" } }, { status: 404 });
  }

  return {
    handle,
    auth,
    createCaller: (headers = new Headers()) => createCaller(createContext({ motion, auth, headers, options: apiOptions })),
    ensureAdmin: (input) => ensureAdmin(auth, motion.db, input),
    createUser: (input) => createUser(auth, input),
    bootstrap: (o = {}) => bootstrapAdmin(auth, motion.db, { baseURL: options.baseURL, ...o }),
  };
}
