// tRPC over Node's http without building a fetch Request/Response per call. It covers the
// requests Motion's clients send — JSON queries (GET, or POST with method override) and
// mutations (POST), single or batched — with tRPC's own building blocks (error shape,
// transformer, HTTP status) and its procedures' middleware chains, run as tRPC runs them, so
// answers are the ones the fetch adapter gives (a test compares the two). Anything else
// (streaming, subscriptions, other content types) returns null and goes through tRPC's fetch
// adapter.
import { getErrorShape, getTRPCErrorFromUnknown, transformTRPCResponse, TRPCError, type AnyTRPCRouter } from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";

type ProcedureType = "query" | "mutation" | "subscription";
interface CallOptions {
  path: string;
  getRawInput: () => Promise<unknown>;
  ctx: unknown;
  type: ProcedureType;
  signal: AbortSignal | undefined;
  batchIndex: number;
  input?: unknown;
}
type MiddlewareResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };
interface NextOptions {
  ctx?: object;
  input?: unknown;
  getRawInput?: () => Promise<unknown>;
}
type Middleware = (opts: CallOptions & { meta: unknown; next: (next?: NextOptions) => Promise<MiddlewareResult> }) => Promise<MiddlewareResult>;
interface ProcedureDef {
  type: ProcedureType;
  middlewares?: Middleware[];
  meta?: unknown;
  caller?: unknown;
  experimental_caller?: boolean;
}
interface Procedure {
  (opts: CallOptions): Promise<unknown>;
  _def: ProcedureDef;
}

const failed = (cause: unknown): MiddlewareResult => ({ ok: false, error: getTRPCErrorFromUnknown(cause) });

/**
 * A procedure's middleware chain, run as tRPC 11 runs it (same options, same context merge, same
 * results: a middleware's throw becomes `{ ok: false }`), with plain object literals: tRPC's build
 * copies each level's options with Babel's spread helper, property by property. Not an async
 * function: one promise per level instead of two (each one pays for the process's async hooks
 * once anything in it uses AsyncLocalStorage, as Next.js and better-auth do).
 */
function callAt(middlewares: Middleware[], meta: unknown, index: number, opts: CallOptions): Promise<MiddlewareResult> {
  try {
    return Promise.resolve(
      middlewares[index]!({
        path: opts.path,
        type: opts.type,
        ctx: opts.ctx,
        input: opts.input,
        getRawInput: opts.getRawInput,
        signal: opts.signal,
        batchIndex: opts.batchIndex,
        meta,
        // A method, not an arrow property: tsx (keepNames) would name an arrow on every call.
        next(next?: NextOptions) {
          return callAt(middlewares, meta, index + 1, {
            path: opts.path,
            type: opts.type,
            ctx: next?.ctx ? { ...(opts.ctx as object), ...next.ctx } : opts.ctx,
            input: next && "input" in next ? next.input : opts.input,
            getRawInput: next?.getRawInput ?? opts.getRawInput,
            signal: opts.signal,
            batchIndex: opts.batchIndex,
          });
        },
      }),
    ).then(undefined, failed);
  } catch (cause) {
    return Promise.resolve(failed(cause));
  }
}

function callProcedure(proc: Procedure, opts: CallOptions): Promise<unknown> {
  const def = proc._def;
  // Not a plain procedure (a caller override, or a shape this runner does not know): tRPC's own call.
  if (!Array.isArray(def.middlewares) || def.caller || def.experimental_caller) return proc(opts);
  return callAt(def.middlewares, def.meta, 0, opts).then((result) => {
    if (!result) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "No result from middlewares - did you forget to `return next()`?" });
    if (!result.ok) throw result.error;
    return result.data;
  });
}

export interface TrpcNodeRequest {
  method: string;
  /** The procedure path(s) after the endpoint, still URL-encoded (`rows.list` or `a,b`). */
  path: string;
  searchParams: URLSearchParams;
  headers: Headers;
  body: Buffer | null;
}

export interface TrpcNodeResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
}

export interface TrpcNodeOptions<TContext> {
  router: AnyTRPCRouter;
  createContext: (req: TrpcNodeRequest) => TContext | Promise<TContext>;
  maxBatchSize: number;
  allowMethodOverride: boolean;
  onError?: (opts: { error: TRPCError; path: string | undefined; type: string }) => void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isPromise = (v: unknown) => isObject(v) && typeof (v as { then?: unknown }).then === "function";
const isAsyncIterable = (v: unknown) => isObject(v) && Symbol.asyncIterator in v;
/** A value tRPC would stream (only httpBatchStreamLink can carry it). */
const isDataStream = (v: unknown) => isObject(v) && (isAsyncIterable(v) || Object.values(v).some((x) => isPromise(x) || isAsyncIterable(x)));

/** What only tRPC's fetch adapter handles. */
function needsFetchAdapter(req: TrpcNodeRequest): boolean {
  if (req.method !== "GET" && req.method !== "POST") return true;
  const contentType = req.headers.get("content-type")?.split(";", 1)[0]!.trim().toLowerCase();
  if (req.method === "POST" ? contentType !== "application/json" : contentType !== undefined && contentType !== "application/json") return true;
  const accept = req.headers.get("trpc-accept") ?? req.headers.get("accept");
  if (accept?.split(",").some((t) => t.trim() === "application/jsonl" || t.trim() === "text/event-stream")) return true;
  return req.searchParams.has("connectionParams");
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ vary: "trpc-accept, accept", "content-type": "application/json" });

/** tRPC's router internals this adapter reads (one place for the casts). */
interface RouterDef {
  _config: Parameters<typeof getErrorShape>[0]["config"];
  procedures: Record<string, Procedure | undefined>;
  lazy: Record<string, unknown>;
}

/** The request's JSON input, deserialised per call index; tRPC's BAD_REQUEST on anything malformed. */
function parseInputs(req: TrpcNodeRequest, config: RouterDef["_config"], isBatch: boolean, count: number): Record<number, unknown> {
  try {
    const raw = req.method === "GET" ? req.searchParams.get("input") : (req.body ?? Buffer.alloc(0)).toString("utf8");
    const json: unknown = req.method === "GET" ? (raw ? JSON.parse(raw) : undefined) : JSON.parse(raw ?? "");
    const out: Record<number, unknown> = Object.create(null);
    if (json !== undefined) {
      if (!isBatch) out[0] = config.transformer.input.deserialize(json);
      else {
        if (!isObject(json)) throw new TRPCError({ code: "BAD_REQUEST", message: '"input" needs to be an object when doing a batch call' });
        for (let index = 0; index < count; index++) if (json[index] !== undefined) out[index] = config.transformer.input.deserialize(json[index]);
      }
    }
    return out;
  } catch (cause) {
    if (cause instanceof TRPCError) throw cause;
    throw new TRPCError({ code: "BAD_REQUEST", message: cause instanceof Error ? cause.message : "Invalid input", cause });
  }
}

function allowed(method: string, type: ProcedureType, allowMethodOverride: boolean): boolean {
  return type === "mutation" ? method === "POST" : method === "GET" || (allowMethodOverride && method === "POST");
}

/** One request's calls: inputs are parsed once, when the first procedure asks for its own. */
class Call<TContext> {
  /** Parsed on first use; error shapes read what was parsed. */
  inputs: Record<number, unknown> | undefined;
  /** The first call's getRawInput (one closure per request; batches make one per call). */
  readonly firstInput: () => Promise<unknown>;
  constructor(
    readonly req: TrpcNodeRequest,
    readonly opts: TrpcNodeOptions<TContext>,
    readonly config: RouterDef["_config"],
    readonly isBatch: boolean,
    readonly paths: string[],
  ) {
    this.firstInput = async () => this.input(0);
  }

  input(index: number): unknown {
    return (this.inputs ??= parseInputs(this.req, this.config, this.isBatch, this.paths.length))[index];
  }

  /** One procedure's answer or its error shape (errors never reject). */
  async run(proc: Procedure | null, p: string, index: number, ctx: TContext): Promise<{ error: unknown } | { result: { data: unknown } }> {
    try {
      if (!proc) throw new TRPCError({ code: "NOT_FOUND", message: `No procedure found on path "${p}"` });
      if (!allowed(this.req.method, proc._def.type, this.opts.allowMethodOverride)) throw new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `Unsupported ${this.req.method}-request to ${proc._def.type} procedure at path "${p}"` });
      const data = await callProcedure(proc, { path: p, getRawInput: index === 0 ? this.firstInput : async () => this.input(index), ctx, type: proc._def.type, signal: undefined, batchIndex: index });
      if (isDataStream(data)) throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink" });
      return { result: { data } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      const callType = proc?._def.type ?? "unknown";
      this.opts.onError?.({ error, path: p, type: callType });
      return { error: getErrorShape({ config: this.config, error, type: callType as ProcedureType, path: p, input: this.inputs?.[index], ctx }) };
    }
  }
}

/** Queries come over GET (or HEAD), mutations over POST; any other method is the wrong method, not a wrong body. */
export function isTrpcMethod(method: string): boolean {
  return method === "GET" || method === "POST" || method === "HEAD";
}

/** tRPC's error shape with 405 and `Allow` (tRPC's fetch adapter would answer 415 "Missing content-type header"). */
export function methodNotSupported(router: AnyTRPCRouter, method: string): TrpcNodeResponse {
  const config = (router._def as RouterDef)._config;
  const error = new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `${method} is not supported: queries are GET, mutations POST` });
  const shape = { error: getErrorShape({ config, error, type: "unknown", path: undefined, input: undefined, ctx: undefined }) };
  return { status: getHTTPStatusCode(shape), headers: { ...JSON_HEADERS, allow: "GET, POST" }, body: JSON.stringify(transformTRPCResponse(config, shape)) };
}

export async function handleTrpcNode<TContext>(req: TrpcNodeRequest, opts: TrpcNodeOptions<TContext>): Promise<TrpcNodeResponse | null> {
  if (!isTrpcMethod(req.method)) return methodNotSupported(opts.router, req.method);
  if (needsFetchAdapter(req)) return null;
  const def = opts.router._def as RouterDef;
  for (const _ in def.lazy) return null;
  const config = def._config;
  let ctx: TContext | undefined;
  let type = "unknown";
  try {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch (cause) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `Invalid URL-encoding in path "${req.path}"`, cause });
    }
    const isBatch = req.searchParams.get("batch") === "1";
    const paths = isBatch ? path.split(",") : [path];
    if (isBatch && paths.length > opts.maxBatchSize) throw new TRPCError({ code: "BAD_REQUEST", message: "Batch call exceeds maximum size" });
    const procedures = paths.map((p) => def.procedures[p] ?? null);
    for (const proc of procedures) {
      if (!proc) continue;
      const t = proc._def.type;
      if (t === "subscription") return null;
      if (type !== "unknown" && type !== t) {
        const mixed = [...new Set(procedures.flatMap((x) => (x ? [x._def.type] : [])))];
        if (mixed.includes("subscription")) return null;
        throw new TRPCError({ code: "BAD_REQUEST", message: `Cannot mix procedure types in call: ${mixed.join(", ")}` });
      }
      type = t;
    }

    ctx = await opts.createContext(req);
    const call = new Call(req, opts, config, isBatch, paths);
    if (!isBatch) {
      // The common request: one call. Its result is serialised directly (transformTRPCResponse
      // would copy it twice through Babel's object-spread helper first; the result is the same).
      const one = await call.run(procedures[0]!, path, 0, ctx);
      const body = "result" in one ? { result: { data: config.transformer.output.serialize(one.result.data) } } : transformTRPCResponse(config, one as never);
      const status = getHTTPStatusCode(one as never);
      // A query sent as POST is allowed (method override); a mutation only as POST.
      const headers = status === 405 ? { ...JSON_HEADERS, allow: procedures[0]!._def.type === "mutation" ? "POST" : "GET, POST" } : JSON_HEADERS;
      return { status, headers, body: JSON.stringify(body) };
    }
    const results = await Promise.all(paths.map((p, index) => call.run(procedures[index]!, p, index, ctx as TContext)));
    return { status: getHTTPStatusCode(results as never), headers: JSON_HEADERS, body: JSON.stringify(transformTRPCResponse(config, results as never)) };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    opts.onError?.({ error, path: undefined, type });
    const shape = { error: getErrorShape({ config, error, type: type as ProcedureType, path: undefined, input: undefined, ctx }) };
    return { status: getHTTPStatusCode(shape), headers: JSON_HEADERS, body: JSON.stringify(transformTRPCResponse(config, shape)) };
  }
}
