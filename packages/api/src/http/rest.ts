// Plain HTTP + JSON for clients without tRPC (Python, curl): `/api/v1/*` per the route table,
// and the OpenAPI document at `/api/openapi.json`. Each route calls its tRPC procedure the way
// tRPC does (middleware included), so tiers, CSRF rules, input validation and error messages
// are the procedure's own; only the wire differs — JSON without superjson's envelope, dates
// as ISO strings, errors as `{ code, message, issues }`. Input is read lazily, as in tRPC, so
// an unauthenticated caller learns nothing about its input.
import { getErrorShape, getTRPCErrorFromUnknown, TRPCError, type AnyTRPCRouter } from "@trpc/server";
import { errorBody, type RestErrorBody } from "../rest/errors.ts";
import { OPENAPI_PATH, REST_BASE_PATH } from "../rest/routes.ts";
import { buildOpenApiDocument, restOperations, type RestOperation } from "../rest/spec.ts";
import { inputObject, readQueryField, reviveBodyDates, WireError } from "../rest/wire.ts";
import type { z } from "zod";
import type { Issue } from "../errors.ts";

export interface RestRequest {
  method: string;
  pathname: string;
  searchParams: URLSearchParams;
  headers: Headers;
  body: Buffer | null;
}

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RestHandlerOptions<TContext> {
  router: AnyTRPCRouter;
  /** Public origin: the document's server URL. */
  baseURL: string;
  version: string;
  createContext: (headers: Headers) => TContext;
  onError?: (opts: { error: TRPCError; path?: string }) => void;
}

/** Whether `pathname` belongs to the REST surface. */
export function isRestPath(pathname: string): boolean {
  return pathname === OPENAPI_PATH || pathname === REST_BASE_PATH || pathname.startsWith(`${REST_BASE_PATH}/`);
}

interface Compiled {
  op: RestOperation;
  pattern: RegExp;
  params: string[];
}

function compile(op: RestOperation): Compiled {
  const params: string[] = [];
  const source = op.route.path
    .split("/")
    .map((segment) => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(m[1]!);
      return "([^/]+)";
    })
    .join("/");
  return { op, pattern: new RegExp(`^${source}/?$`), params };
}

const JSON_HEADERS = { "content-type": "application/json" };

export function createRestHandler<TContext>(options: RestHandlerOptions<TContext>): (req: RestRequest) => Promise<RestResponse> {
  const config = (options.router._def as unknown as { _config: Parameters<typeof getErrorShape>[0]["config"] })._config;
  const operations = restOperations(options.router);
  const compiled = operations.map(compile);
  let spec: string | undefined;

  const fail = (error: TRPCError, op: RestOperation | undefined, ctx: TContext | undefined, input: unknown): RestResponse => {
    options.onError?.({ error, path: op?.route.procedure });
    const shape = getErrorShape({ config, error, type: op?.type ?? "unknown", path: op?.route.procedure, input, ctx }) as {
      message: string;
      data: { code: string; httpStatus: number; issues?: Issue[] | null; stack?: string };
    };
    const body: RestErrorBody = errorBody(shape.data.code, shape.message, shape.data.issues ?? null);
    if (shape.data.stack) body.stack = shape.data.stack;
    return { status: shape.data.httpStatus, headers: JSON_HEADERS, body: JSON.stringify(body) };
  };

  return async function handleRest(req: RestRequest): Promise<RestResponse> {
    if (req.pathname === OPENAPI_PATH || req.pathname === `${REST_BASE_PATH}/openapi.json`) {
      if (req.method !== "GET" && req.method !== "HEAD") {
        const refused = fail(new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `use GET for ${req.pathname}` }), undefined, undefined, undefined);
        return { ...refused, headers: { ...refused.headers, allow: "GET, HEAD" } };
      }
      spec ??= JSON.stringify(buildOpenApiDocument(operations, { baseURL: options.baseURL, version: options.version }));
      return { status: 200, headers: JSON_HEADERS, body: spec };
    }
    const path = req.pathname.slice(REST_BASE_PATH.length) || "/";
    // HEAD is a GET without the body (the caller drops it): health checks use it. A POST with
    // `X-HTTP-Method-Override: GET` is a GET whose input comes as a JSON body: for input too long
    // for a URL (proxies and Node refuse heads past 16 KB; a filter may hold 10 × 1,000 characters).
    const override = req.method === "POST" && req.headers.get("x-http-method-override")?.trim().toUpperCase() === "GET";
    const method = req.method === "HEAD" || override ? "GET" : req.method;
    let match: { c: Compiled; values: string[] } | undefined;
    const allowed: string[] = [];
    for (const c of compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      if (c.op.route.method !== method) {
        allowed.push(c.op.route.method);
        continue;
      }
      match = { c, values: m.slice(1) };
      break;
    }
    if (!match) {
      if (allowed.length) {
        const response = fail(new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `${req.method} is not allowed on ${req.pathname} (use ${allowed.join(" or ")})` }), undefined, undefined, undefined);
        return { ...response, headers: { ...response.headers, allow: allowed.join(", ") } };
      }
      return fail(new TRPCError({ code: "NOT_FOUND", message: `no REST route ${req.method} ${req.pathname}; see ${OPENAPI_PATH}` }), undefined, undefined, undefined);
    }

    const { op } = match.c;
    const object = inputObject(op.procedure._def.inputs);
    const shape = (object?.shape ?? {}) as Record<string, z.ZodType>;
    let input: unknown;
    let parsed: Promise<unknown> | undefined;
    // Read on the procedure's first request for its input, i.e. after its tier check.
    const readInput = async (): Promise<unknown> => {
      const fields: Record<string, unknown> = {};
      try {
        if (op.type === "query" && !override) {
          const names = new Set(req.searchParams.keys());
          for (const name of names) fields[name] = name in shape ? readQueryField(shape[name]!, name, req.searchParams.getAll(name)) : req.searchParams.get(name);
        } else {
          const text = (req.body ?? Buffer.alloc(0)).toString("utf8");
          if (text.trim() !== "") {
            const contentType = req.headers.get("content-type")?.split(";", 1)[0]!.trim().toLowerCase();
            if (contentType !== "application/json") throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: `send the body as JSON with content-type: application/json (got ${contentType ?? "none"})` });
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch (cause) {
              throw new TRPCError({ code: "PARSE_ERROR", message: `the body is not valid JSON (${(cause as Error).message})`, cause: cause as Error });
            }
            if (typeof body !== "object" || body === null || Array.isArray(body)) throw new TRPCError({ code: "BAD_REQUEST", message: "the body must be a JSON object" });
            Object.assign(fields, body);
            reviveBodyDates(shape, fields);
          }
        }
        match!.c.params.forEach((name, i) => {
          const raw = match!.values[i]!;
          let text: string;
          try {
            text = decodeURIComponent(raw);
          } catch {
            throw new TRPCError({ code: "BAD_REQUEST", message: `${name}: invalid URL encoding` });
          }
          fields[name] = name in shape ? readQueryField(shape[name]!, name, [text]) : text;
        });
      } catch (cause) {
        if (cause instanceof WireError) {
          const issues: Issue[] = [{ path: [cause.field], message: cause.issue.message, code: cause.issue.code }];
          throw new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause: Object.assign(new Error(cause.message), { issues }) });
        }
        throw cause;
      }
      // No fields and an input that may be omitted: let its default apply, as with tRPC.
      input = Object.keys(fields).length === 0 && object === null ? undefined : fields;
      return input;
    };

    let ctx: TContext | undefined;
    try {
      ctx = options.createContext(req.headers);
      const data = await op.procedure({
        path: op.route.procedure,
        getRawInput: () => (parsed ??= readInput()),
        ctx,
        type: op.type,
        signal: undefined,
        batchIndex: 0,
      });
      return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(data ?? null) };
    } catch (cause) {
      return fail(getTRPCErrorFromUnknown(cause), op, ctx, input);
    }
  };
}
