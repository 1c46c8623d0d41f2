// One API for everything Motion serves under `/api`: `/api/trpc/*` (tRPC, superjson),
// `/api/v1/*` + `/api/openapi.json` (the same procedures as plain JSON) and `/api/auth/*`
// (better-auth). Two entry points share every rule (limits, CSRF, rate limits,
// security headers, no internals in production):
// - `node(req, res)`: a Node http handler — the fast path the console's server and
//   `createMotionServer` use (no fetch Request/Response per tRPC call, bodies limited while
//   they stream, the client IP from the socket);
// - `handle(request, { ip })`: fetch-style, for hosts like Next.js route handlers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Motion } from "@motion/engine";
import { DEFAULT_PRINCIPAL_CACHE_MS, PrincipalCache } from "./principal-cache.ts";
import { bootstrapAdmin, createAuth, createUser, ensureAdmin, type BootstrapResult, type MotionAuth, type NewUser } from "./auth.ts";
import { createContext, type ApiOptions } from "./context.ts";
import { applyAuthBodyRules, readAuthFields, redirectFieldError, signInAccount } from "./http/auth-body.ts";
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, discardRest, readBody } from "./http/body.ts";
import { CLIENT_IP_HEADER, clientIp, trustProxyFromEnv } from "./http/client-ip.ts";
import { checkOrigin, originSet, withLoopbackAliases } from "./http/origin.ts";
import { apiHeaders } from "./http/security-headers.ts";
import { STATE_VALUE_PATH, stateValueResponse } from "./http/state-value.ts";
import { createRestHandler, isRestPath } from "./http/rest.ts";
import { handleTrpcNode, isTrpcMethod, methodNotSupported } from "./http/trpc-node.ts";
import { isDevelopment } from "./mode.ts";
import { appRouter, createCaller } from "./root.ts";
import { SignInLimiter, signInLimitsFromEnv, type SignInLimits } from "./sign-in-limiter.ts";
import { API_VERSION } from "./version.ts";

export const TRPC_ENDPOINT = "/api/trpc";
export const AUTH_BASE_PATH = "/api/auth";
const SIGN_IN_PATH = `${AUTH_BASE_PATH}/sign-in/email`;
const MAX_BATCH_SIZE = 50;
/** PostgreSQL NOTIFY channel: access was taken away somewhere (principal-cache.ts). */
const AUTH_CHANNEL = "motion_auth";

export interface CreateMotionApiOptions {
  motion: Motion;
  /** A better-auth instance from `createAuth`; built from baseURL + secret when omitted. */
  auth?: MotionAuth;
  /** Public origin, e.g. `http://localhost:3000` (cookies, auth redirects, CSRF checks). */
  baseURL: string;
  /** Session signing secret (≥ 32 chars); required unless `auth` is given. */
  secret?: string;
  /** Extra origins whose pages may call the API with an operator's cookies. */
  trustedOrigins?: string[];
  reviewLockMs?: number;
  /** Stack traces and internal messages in errors. Default: MOTION_ENV (or NODE_ENV) is `development`. */
  development?: boolean;
  /** Failed sign-ins per IP / account and window. Default: 30 / 10 per 15 minutes, or MOTION_SIGN_IN_* variables. */
  signInLimits?: Partial<SignInLimits>;
  /** A limiter of your own (e.g. with a test clock); `signInLimits` is ignored then. */
  signInLimiter?: SignInLimiter;
  /** Reverse proxies in front of the server whose X-Forwarded-For is trusted (default 0, or MOTION_TRUST_PROXY). */
  trustProxy?: number;
  /** Largest request body (default 10 MB). */
  maxBodyBytes?: number;
  /** How long `rows.add` / `rows.addMany` answers are kept under an idempotency key (default 24 h). */
  idempotencyTtlMs?: number;
  /** How often subscriptions (`state.onVersion`, `fits.onIdle`) re-read the database without a change signal (default 1000 ms). */
  subscriptionPollMs?: number;
  /** Remembered identities (default: one per API, MOTION_AUTH_CACHE_MS long; `new PrincipalCache(0)` turns it off). */
  principals?: PrincipalCache;
}

export interface RequestInfo {
  /** The client's address (from the socket): keys sign-in limits and session records. */
  ip?: string | null;
}

export interface MotionApi {
  handle(request: Request, info?: RequestInfo): Promise<Response>;
  /** Serves `/api/*` on Node's http server; other paths get a JSON 404. */
  node(req: IncomingMessage, res: ServerResponse): Promise<void>;
  auth: MotionAuth;
  /** Whether errors carry stacks and internal messages. */
  development: boolean;
  trustProxy: number;
  signInLimiter: SignInLimiter;
  /** Identities remembered across requests; `invalidate()` after changing access outside the API. */
  principals: PrincipalCache;
  /** Ends every open subscription stream (createMotionServer's `close()` and `motion.close()` call it). */
  closeStreams(): void;
  /** A server-side caller with the identity of these request headers (cookie or Bearer). */
  createCaller(headers?: Headers): ReturnType<typeof createCaller>;
  ensureAdmin(input: { email: string; password: string; name?: string }): ReturnType<typeof ensureAdmin>;
  createUser(input: NewUser): ReturnType<typeof createUser>;
  /** First start: MOTION_ADMIN_EMAIL/PASSWORD, or a generated admin on the embedded default. */
  bootstrap(options?: { env?: NodeJS.ProcessEnv; generate?: boolean }): Promise<BootstrapResult>;
}

const TRPC_PREFIX = `${TRPC_ENDPOINT}/`;

/** Writes a whole answer with the API's security headers and a known length: one write of head and body, no chunked framing. */
function sendAnswer(req: IncomingMessage, res: ServerResponse, https: boolean, status: number, headers: Readonly<Record<string, string | string[]>>, body: string | Uint8Array): void {
  const head: Record<string, string | string[]> = Object.assign({}, apiHeaders({ https }), headers);
  if (req.method !== "HEAD") head["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  res.writeHead(status, head);
  res.end(body);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** Errors outside tRPC (auth, limits) have better-auth's shape: `{ code, message }`. */
const errorBody = (code: string, message: string) => ({ code, message });

function isHttps(request: { url: string; headers: Headers }, trustProxy: number): boolean {
  if (request.url.startsWith("https:")) return true;
  return trustProxy > 0 && request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

export function createMotionApi(options: CreateMotionApiOptions): MotionApi {
  const { motion } = options;
  if (!options.auth && !options.secret) throw new TypeError("createMotionApi needs `secret` (or a prebuilt `auth`)");
  const development = options.development ?? isDevelopment();
  const trustProxy = options.trustProxy ?? trustProxyFromEnv();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // The console's own origin under each loopback name too (127.0.0.1 and localhost are one server).
  const origins = withLoopbackAliases([options.baseURL, ...(options.trustedOrigins ?? [])]);
  const auth = options.auth ?? createAuth({ identity: motion.identity, baseURL: options.baseURL, secret: options.secret!, trustedOrigins: origins, log: motion.log });
  const allowedOrigins = originSet(origins);
  const apiOptions: Partial<ApiOptions> = {
    development,
    allowedOrigins,
    ...(options.reviewLockMs ? { reviewLockMs: options.reviewLockMs } : {}),
    ...(options.idempotencyTtlMs ? { idempotencyTtlMs: options.idempotencyTtlMs } : {}),
    ...(options.subscriptionPollMs ? { subscriptionPollMs: options.subscriptionPollMs } : {}),
  };
  // Open server-sent event streams (subscriptions): ended when the server or the engine closes.
  const streams = new Set<() => void>();
  const closeStreams = () => {
    for (const end of [...streams]) end();
  };
  motion.onClose(closeStreams);
  const signInLimiter = options.signInLimiter ?? new SignInLimiter({ ...signInLimitsFromEnv(), ...options.signInLimits });
  // Sessions from before tokens were hashed are hashed once, before the first auth request.
  let upgraded: Promise<unknown> | undefined;
  const ready = () => (upgraded ??= motion.identity.sessions.hashLegacyTokens().catch((error: unknown) => motion.log.error({ err: String(error) }, "api: could not hash legacy session tokens")));
  void ready();

  const onError = ({ error, path }: { error: { code: string; message: string; cause?: unknown }; path?: string }) => {
    if (error.code === "INTERNAL_SERVER_ERROR") motion.log.error({ path, err: (error.cause as Error | undefined)?.stack ?? error.message }, "api: internal error");
  };
  // Identities are remembered for MOTION_AUTH_CACHE_MS (default 2 s; 0 turns it off); every
  // change that can take access away clears them at once (principal-cache.ts).
  const principals = options.principals ?? new PrincipalCache(Number(process.env.MOTION_AUTH_CACHE_MS ?? DEFAULT_PRINCIPAL_CACHE_MS));
  // PostgreSQL: every API process hears about the change at once (NOTIFY); a lost
  // notification session forgets everything when it comes back.
  if (motion.db.listen) {
    const subscribed = motion.db.listen(AUTH_CHANNEL, () => principals.invalidate(), () => principals.invalidate());
    subscribed.catch((error: unknown) => motion.log.error({ err: (error as Error)?.message }, "api: cannot listen for access changes; other processes see them within MOTION_AUTH_CACHE_MS"));
    motion.onClose(async () => (await subscribed.catch(() => null))?.());
  }
  const authChanged = async () => {
    principals.invalidate();
    await motion.db.notify?.(AUTH_CHANNEL);
  };
  const context = (headers: Headers) => createContext({ motion, auth, headers, options: apiOptions, principals, onAuthChanged: authChanged });
  // `/api/v1/*` and `/api/openapi.json`: the same procedures as plain HTTP + JSON.
  const rest = createRestHandler({ router: appRouter, baseURL: options.baseURL, version: API_VERSION, createContext: context, onError });

  /** better-auth behind Motion's rules: CSRF on state changes, sign-in limits, the socket's IP. */
  async function handleAuth(request: Request, info: RequestInfo): Promise<Response> {
    await ready();
    if (request.method !== "GET" && request.method !== "HEAD" && request.method !== "OPTIONS") {
      const verdict = checkOrigin(request.headers, allowedOrigins);
      if (!verdict.ok) return json(403, errorBody("FORBIDDEN", `cross-site request refused: ${verdict.reason}`));
    }
    const headers = new Headers(request.headers);
    headers.delete(CLIENT_IP_HEADER);
    if (info.ip) headers.set(CLIENT_IP_HEADER, info.ip);
    let body: ArrayBuffer | string | null = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
    const { pathname, searchParams } = new URL(request.url);
    const badQuery = redirectFieldError(searchParams);
    if (badQuery) return json(badQuery.status, errorBody(badQuery.code, badQuery.message));
    const fields = request.method === "POST" ? await readAuthFields(request.headers.get("content-type"), body) : null;
    if (request.method === "POST") {
      const ruled = applyAuthBodyRules(pathname.slice(AUTH_BASE_PATH.length), fields);
      if (ruled !== null && typeof ruled === "object") return json(ruled.status, errorBody(ruled.code, ruled.message));
      if (typeof ruled === "string") {
        body = ruled;
        headers.set("content-type", "application/json");
        headers.delete("content-length");
      }
    }
    const forwarded = new Request(request.url, { method: request.method, headers, body });

    let attempt: { succeeded(): void } | undefined;
    if (pathname === SIGN_IN_PATH && request.method === "POST") {
      const account = signInAccount(fields);
      if (account !== null && typeof account === "object") return json(account.status, errorBody(account.code, account.message));
      const verdict = signInLimiter.begin({ ip: info.ip, account });
      if (!verdict.allowed) {
        const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        return json(429, errorBody("TOO_MANY_REQUESTS", `Too many sign-in attempts. Try again in ${seconds} s.`), { "retry-after": String(seconds) });
      }
      attempt = verdict.attempt;
    }
    const response = await auth.handler(forwarded);
    if (attempt && response.ok) attempt.succeeded();
    // Sign-out, password changes and resets can end sessions: forget remembered identities.
    if (request.method !== "GET" && request.method !== "HEAD" && pathname !== SIGN_IN_PATH) await authChanged();
    if (response.status >= 500 && !development) return json(response.status, errorBody("INTERNAL_SERVER_ERROR", "Internal server error"));
    // better-auth's own limiter (password changes, sessions) answers 429 without a code and with
    // X-Retry-After: the same shape and header as Motion's sign-in limit.
    if (response.status === 429) {
      const seconds = Math.max(1, Number(response.headers.get("x-retry-after") ?? response.headers.get("retry-after")) || 10);
      return json(429, errorBody("TOO_MANY_REQUESTS", `Too many requests. Try again in ${seconds} s.`), { "retry-after": String(seconds) });
    }
    // better-auth answers an unknown (or disabled) path with an empty 404: say so in JSON, as every other API error does.
    if (response.status === 404 && !response.headers.get("content-type")?.includes("json")) return json(404, errorBody("NOT_FOUND", `no route ${pathname}`));
    return response;
  }

  async function handleWithoutHeaders(request: Request, info: RequestInfo): Promise<Response> {
    const { pathname } = new URL(request.url);
    const length = Number(request.headers.get("content-length") ?? 0);
    if (Number.isFinite(length) && length > maxBodyBytes) return json(413, errorBody("PAYLOAD_TOO_LARGE", "request body too large"));
    if (pathname === AUTH_BASE_PATH || pathname.startsWith(`${AUTH_BASE_PATH}/`)) return handleAuth(request, info);
    if (isRestPath(pathname)) {
      const { searchParams } = new URL(request.url);
      const body = request.method === "GET" || request.method === "HEAD" ? null : Buffer.from(await request.arrayBuffer());
      const answer = await rest({ method: request.method, pathname, searchParams, headers: request.headers, body });
      return new Response(request.method === "HEAD" ? null : answer.body, { status: answer.status, headers: answer.headers });
    }
    if (pathname === TRPC_ENDPOINT || pathname.startsWith(`${TRPC_ENDPOINT}/`)) {
      if (!isTrpcMethod(request.method)) {
        const answer = methodNotSupported(appRouter, request.method);
        return new Response(answer.body, { status: answer.status, headers: answer.headers });
      }
      return fetchRequestHandler({
        endpoint: TRPC_ENDPOINT,
        req: request,
        router: appRouter,
        maxBatchSize: MAX_BATCH_SIZE,
        allowMethodOverride: true,
        createContext: () => context(request.headers),
        onError,
      });
    }
    if (pathname.startsWith(STATE_VALUE_PATH)) {
      return stateValueResponse(motion, { method: request.method, pathname, ifNoneMatch: request.headers.get("if-none-match") }, () => context(request.headers).resolvePrincipal());
    }
    return json(404, errorBody("NOT_FOUND", `no route ${pathname}`));
  }

  async function handle(request: Request, info: RequestInfo = {}): Promise<Response> {
    let response: Response;
    try {
      response = await handleWithoutHeaders(request, info);
    } catch (error) {
      motion.log.error({ err: (error as Error)?.stack ?? String(error) }, "api: request failed");
      response = json(500, errorBody("INTERNAL_SERVER_ERROR", development ? String((error as Error)?.stack ?? error) : "Internal server error"));
    }
    for (const [name, value] of Object.entries(apiHeaders({ https: isHttps(request, trustProxy) }))) {
      try {
        if (!response.headers.has(name)) response.headers.set(name, value);
      } catch {
        response = new Response(response.body, response); // immutable headers: copy once
        response.headers.set(name, value);
      }
    }
    return response;
  }

  const trpcNode = { router: appRouter, createContext: (req: { headers: Headers }) => context(req.headers), maxBatchSize: MAX_BATCH_SIZE, allowMethodOverride: true, onError };

  /** Writes a subscription's events as they come (never buffered whole), until either side ends it. */
  async function streamEvents(body: ReadableStream<Uint8Array>, res: ServerResponse, aborter: AbortController): Promise<void> {
    const reader = body.getReader();
    const end = () => {
      aborter.abort();
      void reader.cancel().catch(() => undefined);
    };
    streams.add(end);
    res.flushHeaders();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || res.destroyed) break;
        if (!res.write(value)) await new Promise<void>((resolve) => (res.once("drain", resolve), res.once("close", resolve)));
      }
    } catch {
      // the client left or the stream was cancelled at shutdown
    } finally {
      streams.delete(end);
      // An event stream's connection is not reused: drop it once the last bytes are out, or a
      // client that stopped reading without closing would hold server.close() until it lets go.
      res.end(() => res.destroy());
    }
  }

  async function node(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const query = rawUrl.indexOf("?");
    const pathname = query === -1 ? rawUrl : rawUrl.slice(0, query);
    const https = Boolean((req.socket as { encrypted?: boolean }).encrypted) || (trustProxy > 0 && String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]!.trim() === "https");
    try {
      const method = req.method ?? "GET";
      let body: Buffer | null = null;
      if (method !== "GET" && method !== "HEAD") {
        try {
          body = await readBody(req, maxBodyBytes);
        } catch (error) {
          if (!(error instanceof BodyTooLargeError)) throw error;
          sendAnswer(req, res, https, 413, { "content-type": "application/json" }, JSON.stringify(errorBody("PAYLOAD_TOO_LARGE", `request body too large (limit ${maxBodyBytes} bytes)`)));
          discardRest(req);
          return;
        }
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else headers.set(name, value);
      }
      if (pathname.startsWith(TRPC_PREFIX)) {
        const answer = await handleTrpcNode({ method, path: pathname.slice(TRPC_PREFIX.length), searchParams: new URLSearchParams(query === -1 ? "" : rawUrl.slice(query + 1)), headers, body }, trpcNode);
        if (answer) return sendAnswer(req, res, https, answer.status, answer.headers, answer.body);
      }
      if (isRestPath(pathname)) {
        const answer = await rest({ method, pathname, searchParams: new URLSearchParams(query === -1 ? "" : rawUrl.slice(query + 1)), headers, body });
        return sendAnswer(req, res, https, answer.status, answer.headers, method === "HEAD" ? "" : answer.body);
      }
      const origin = `${https ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
      // The request ends when the client goes away: a subscription's generator stops then.
      const aborter = new AbortController();
      res.once("close", () => aborter.abort());
      const request = new Request(new URL(rawUrl, origin), { method, headers, body: body && body.length ? new Uint8Array(body) : undefined, signal: aborter.signal });
      const response = await handle(request, { ip: clientIp(req, trustProxy) });
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") out[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      res.writeHead(response.status, out);
      if (response.body && response.headers.get("content-type")?.startsWith("text/event-stream")) return await streamEvents(response.body, res, aborter);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      motion.log.error({ err: (error as Error)?.stack ?? String(error) }, "api: request failed");
      if (res.headersSent) return void res.destroy();
      sendAnswer(req, res, https, 500, { "content-type": "application/json" }, JSON.stringify(errorBody("INTERNAL_SERVER_ERROR", development ? String((error as Error)?.stack ?? error) : "Internal server error")));
    }
  }

  return {
    handle,
    node,
    auth,
    development,
    trustProxy,
    signInLimiter,
    principals,
    closeStreams,
    createCaller: (headers = new Headers()) => createCaller(context(headers)),
    ensureAdmin: (input) => ensureAdmin(auth, motion.identity, input),
    createUser: (input) => createUser(auth, input),
    bootstrap: (o = {}) => bootstrapAdmin(auth, motion.identity, { baseURL: options.baseURL, ...o }),
  };
}
