// The typed client developers import: `import { createMotionClient } from "@motion/api/client"`.
// Types only from the server side — nothing of the server is bundled.
//
// It works on any valid input: queries whose URL would pass MAX_URL_LENGTH are split into
// smaller batches, and a single query too long for any URL is sent as a POST (the server
// accepts queries over POST). An answer that is not tRPC's JSON (a proxy's error page, the
// server's 431 or 413) becomes a TRPCClientError with `data.code` and `data.httpStatus`.
// Subscriptions (`state.onVersion`, `fits.onIdle`) go over server-sent events; with an API key
// they use the `eventsource` ponyfill, which can send the Authorization header (a browser's
// EventSource cannot, and relies on the session cookie).
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type Operation } from "@trpc/client";
import { EventSource as EventSourcePonyfill } from "eventsource";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import type { AppRouter } from "./root.ts";

export type { AppRouter };

/** Longest GET URL the client sends; well under Node's 16 KB head limit and common proxies' 8 KB. */
export const MAX_URL_LENGTH = 4_000;
const MAX_BATCH = 50;

export interface MotionClientOptions {
  /** The Motion server, e.g. `http://localhost:3000` (or its `/api/trpc` endpoint). */
  url: string;
  /** An API key (`mk_…`), sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

type Code = keyof typeof TRPC_ERROR_CODES_BY_KEY;
const CODE_OF_STATUS: Record<number, Code> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  408: "TIMEOUT",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  431: "BAD_REQUEST",
  501: "NOT_IMPLEMENTED",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

function isTrpcEnvelope(body: unknown): boolean {
  const one = (b: unknown) => typeof b === "object" && b !== null && ("result" in b || "error" in b);
  return Array.isArray(body) ? body.every(one) : one(body);
}

/** Wraps fetch so that every error answer reaches the client as a tRPC error it can read. */
export function readableErrors(fetchImpl: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const type = response.headers.get("content-type");
    // A success that is not JSON is not the API's: a sign-in page or portal of a proxy in front of it.
    if (response.ok && (!type || type.includes("json"))) return response;
    if (response.ok) {
      await response.body?.cancel();
      const message = `the server answered ${type!.split(";", 1)[0]} with HTTP ${response.status}, not the API's JSON: is a proxy or a sign-in page in front of ${new URL(response.url || String(input)).origin}?`;
      const shape = { message, code: TRPC_ERROR_CODES_BY_KEY.BAD_GATEWAY, data: { code: "BAD_GATEWAY", httpStatus: response.status, issues: null } };
      return new Response(JSON.stringify({ error: { json: shape } }), { status: 502, headers: { "content-type": "application/json" } });
    }
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: a proxy's page, a bare status line
    }
    if (isTrpcEnvelope(body)) return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
    const code: Code = CODE_OF_STATUS[response.status] ?? (response.status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST");
    const fromBody = typeof body === "object" && body !== null ? (body as { message?: unknown }).message : undefined;
    const message = typeof fromBody === "string" && fromBody ? fromBody : `HTTP ${response.status} ${response.statusText || ""}`.trim();
    const shape = { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: response.status, issues: null } };
    return new Response(JSON.stringify({ error: { json: shape } }), { status: response.status, headers: { "content-type": "application/json" } });
  };
}

/** The length of the GET URL one query would need on its own. */
function urlLength(base: string, op: Operation): number {
  const input = op.input === undefined ? "" : encodeURIComponent(JSON.stringify(superjson.serialize(op.input)));
  return base.length + 1 + op.path.length + "?batch=1&input=".length + input.length + 8;
}

export interface MotionLinkOptions {
  /** The tRPC endpoint (`…/api/trpc`, or `/api/trpc` in a browser on the console's origin). */
  url: string;
  fetch?: typeof globalThis.fetch;
  headers?: () => Record<string, string>;
}

/** Server-sent events for subscriptions, with the same headers as the other calls. */
function subscriptionLink(options: MotionLinkOptions) {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const headers = options.headers;
  const native = (globalThis as unknown as { EventSource?: typeof EventSourcePonyfill }).EventSource;
  if (!headers && native) return httpSubscriptionLink({ url: options.url, transformer: superjson, EventSource: native });
  return httpSubscriptionLink({
    url: options.url,
    transformer: superjson,
    EventSource: EventSourcePonyfill,
    eventSourceOptions: () => ({
      fetch: (input, init) => fetchImpl(input, { ...init, headers: { ...(init.headers as Record<string, string>), ...headers?.() } }),
    }),
  });
}

/** The HTTP links of Motion's clients: batched GETs capped at MAX_URL_LENGTH, long queries as POST. */
export function motionLinks(options: MotionLinkOptions) {
  const common = {
    url: options.url,
    transformer: superjson,
    maxItems: MAX_BATCH,
    fetch: readableErrors(options.fetch ?? ((input, init) => globalThis.fetch(input, init))),
    ...(options.headers ? { headers: options.headers } : {}),
  };
  return splitLink<AppRouter>({
    condition: (op) => op.type === "subscription",
    true: subscriptionLink(options),
    false: splitLink<AppRouter>({
      condition: (op) => op.type === "query" && urlLength(options.url, op) > MAX_URL_LENGTH,
      true: httpBatchLink({ ...common, methodOverride: "POST" }),
      false: httpBatchLink({ ...common, maxURLLength: MAX_URL_LENGTH }),
    }),
  });
}

export function createMotionClient(options: MotionClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  const url = base.endsWith("/api/trpc") ? base : `${base}/api/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      motionLinks({
        url,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        headers: () => ({ ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) }),
      }),
    ],
  });
}

export type MotionClient = ReturnType<typeof createMotionClient>;
