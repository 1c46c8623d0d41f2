// tRPC over Node's http without building a fetch Request/Response per call. It covers the
// requests Motion's clients send — JSON queries (GET, or POST with method override) and
// mutations (POST), single or batched — with tRPC's own building blocks (procedure call, error
// shape, transformer, HTTP status), so answers are the ones the fetch adapter gives (a test
// compares the two). Anything else (streaming, subscriptions, other content types) returns
// null and goes through tRPC's fetch adapter.
import { getErrorShape, getTRPCErrorFromUnknown, transformTRPCResponse, TRPCError, type AnyTRPCRouter } from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";

type ProcedureType = "query" | "mutation" | "subscription";
interface Procedure {
  (opts: { path: string; getRawInput: () => Promise<unknown>; ctx: unknown; type: ProcedureType; signal: AbortSignal | undefined; batchIndex: number }): Promise<unknown>;
  _def: { type: ProcedureType };
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
  headers: Record<string, string>;
  body: string;
}

export interface TrpcNodeOptions<TContext> {
  router: AnyTRPCRouter;
  createContext: () => TContext | Promise<TContext>;
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

export async function handleTrpcNode<TContext>(req: TrpcNodeRequest, opts: TrpcNodeOptions<TContext>): Promise<TrpcNodeResponse | null> {
  if (needsFetchAdapter(req)) return null;
  const { router } = opts;
  const def = router._def as { _config: Parameters<typeof getErrorShape>[0]["config"]; procedures: Record<string, Procedure | undefined>; lazy: Record<string, unknown> };
  if (Object.keys(def.lazy).length) return null;
  const config = def._config;
  const headers = { vary: "trpc-accept, accept", "content-type": "application/json" };
  let ctx: TContext | undefined;
  let type = "unknown";

  const wholeError = (cause: unknown): TrpcNodeResponse => {
    const error = getTRPCErrorFromUnknown(cause);
    opts.onError?.({ error, path: undefined, type });
    const shape = { error: getErrorShape({ config, error, type: type as ProcedureType, path: undefined, input: undefined, ctx }) };
    return { status: getHTTPStatusCode(shape), headers, body: JSON.stringify(transformTRPCResponse(config, shape)) };
  };

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
    const types = new Set(procedures.flatMap((p) => (p ? [p._def.type] : [])));
    if (types.has("subscription")) return null;
    if (types.size > 1) throw new TRPCError({ code: "BAD_REQUEST", message: `Cannot mix procedure types in call: ${[...types].join(", ")}` });
    type = types.values().next().value ?? "unknown";

    // Inputs are parsed once, when the first procedure asks for its own.
    let parsed: Promise<Record<number, unknown>> | undefined;
    let inputs: Record<number, unknown> | undefined;
    const readInputs = () =>
      (parsed ??= (async () => {
        try {
          const raw = req.method === "GET" ? req.searchParams.get("input") : (req.body ?? Buffer.alloc(0)).toString("utf8");
          const json: unknown = req.method === "GET" ? (raw ? JSON.parse(raw) : undefined) : JSON.parse(raw ?? "");
          const out: Record<number, unknown> = Object.create(null);
          if (json !== undefined) {
            if (!isBatch) out[0] = config.transformer.input.deserialize(json);
            else {
              if (!isObject(json)) throw new TRPCError({ code: "BAD_REQUEST", message: '"input" needs to be an object when doing a batch call' });
              for (const index of paths.keys()) if (json[index] !== undefined) out[index] = config.transformer.input.deserialize(json[index]);
            }
          }
          inputs = out;
          return out;
        } catch (cause) {
          if (cause instanceof TRPCError) throw cause;
          throw new TRPCError({ code: "BAD_REQUEST", message: cause instanceof Error ? cause.message : "Invalid input", cause });
        }
      })());

    ctx = await opts.createContext();
    const allowed = (t: ProcedureType) => (t === "mutation" ? req.method === "POST" : req.method === "GET" || (opts.allowMethodOverride && req.method === "POST"));
    const results = await Promise.all(
      paths.map(async (p, index): Promise<{ error: unknown } | { result: { data: unknown } }> => {
        const proc = procedures[index];
        try {
          if (!proc) throw new TRPCError({ code: "NOT_FOUND", message: `No procedure found on path "${p}"` });
          if (!allowed(proc._def.type)) throw new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `Unsupported ${req.method}-request to ${proc._def.type} procedure at path "${p}"` });
          const data = await proc({ path: p, getRawInput: async () => (await readInputs())[index], ctx, type: proc._def.type, signal: undefined, batchIndex: index });
          if (isDataStream(data)) throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink" });
          return { result: { data } };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          const callType = proc?._def.type ?? "unknown";
          opts.onError?.({ error, path: p, type: callType });
          return { error: getErrorShape({ config, error, type: callType as ProcedureType, path: p, input: inputs?.[index], ctx }) };
        }
      }),
    );
    const untransformed = isBatch ? results : results[0]!;
    // The common answer (one successful call) serialised directly: transformTRPCResponse would
    // copy it twice through Babel's object-spread helper first; the result is the same.
    const single = results.length === 1 && !isBatch && "result" in results[0]! ? results[0] : null;
    const body = single ? { result: { data: config.transformer.output.serialize(single.result.data) } } : transformTRPCResponse(config, untransformed as never);
    return { status: getHTTPStatusCode(untransformed as never), headers, body: JSON.stringify(body) };
  } catch (cause) {
    return wholeError(cause);
  }
}
