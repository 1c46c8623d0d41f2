// The OpenAPI 3.1 document of the REST surface, generated from the real procedures — their zod
// inputs (zod-openapi renders them), their tier (meta.tier → security) — and the route table's
// method, path and documented output. Built once per server and cached.
//
// Not trpc-to-openapi: its handler turns on zod coercion by mutating the procedures' own schemas
// (after which tRPC callers' "false" parses as true), it needs `.output()` on every procedure,
// and its type entry pulls Next.js's global types into every package that imports the API.
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { z } from "zod";
import type { AnyTRPCRouter } from "@trpc/server";
import type { Tier } from "../principal.ts";
import { inputObject, queryWireSchema } from "./wire.ts";
import { REST_BASE_PATH, REST_ROUTES, type RestRoute } from "./routes.ts";
import { errorBody } from "./errors.ts";

interface ProcedureDef {
  type: "query" | "mutation" | "subscription";
  meta?: { tier?: Tier } & Record<string, unknown>;
  inputs: unknown[];
  output?: unknown;
}

export interface RestOperation {
  route: RestRoute;
  tier: Tier;
  type: "query" | "mutation";
  /** The procedure as tRPC calls it (middleware included). */
  procedure: { (opts: unknown): Promise<unknown>; _def: ProcedureDef };
}

/** The route table joined with the router; throws at startup on a route that cannot work. */
export function restOperations(router: AnyTRPCRouter): RestOperation[] {
  const procedures = (router._def as unknown as { procedures: Record<string, RestOperation["procedure"] | undefined> }).procedures;
  return REST_ROUTES.map((route) => {
    const procedure = procedures[route.procedure];
    if (!procedure) throw new Error(`REST route ${route.method} ${route.path}: no procedure ${route.procedure}`);
    const { type, meta } = procedure._def;
    if (type === "subscription") throw new Error(`REST route ${route.path}: subscriptions are not served over REST`);
    if ((type === "query") !== (route.method === "GET")) throw new Error(`REST route ${route.method} ${route.path}: a ${type} must be ${type === "query" ? "GET" : "POST, PUT or DELETE"}`);
    if (!meta?.tier) throw new Error(`REST route ${route.path}: procedure ${route.procedure} has no tier`);
    return { route, tier: meta.tier, type, procedure };
  });
}

const ROLE_TEXT: Record<Tier, string> = {
  public: "Anyone may call this.",
  viewer: "Requires the `viewer` role (or higher).",
  labeler: "Requires the `labeler` role (or higher).",
  admin: "Requires the `admin` role.",
};

export const SECURITY_SCHEMES = {
  apiKey: { type: "http", scheme: "bearer", description: "An API key: `Authorization: Bearer mk_…` (created by an admin)." },
  session: {
    type: "apiKey",
    in: "cookie",
    name: "motion.session_token",
    description: "An operator's session cookie from POST /api/auth/sign-in/email. Changes (non-GET) from a web page must come from the console's own origin.",
  },
} as const;

const issue = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() });
export const errorSchema = z
  .object({
    code: z.string().meta({ description: "BAD_REQUEST, PARSE_ERROR, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, …" }),
    message: z.string().meta({ description: "readable; for bad input it names each field's path" }),
    // Optional: limits answered before any operation runs (413, 431) carry only code and message.
    issues: z
      .array(issue)
      .nullable()
      .optional()
      .meta({ description: "for bad input: each problem with its full input path; otherwise null (absent on 413 and 431, answered before the operation runs)" }),
  })
  .meta({ id: "Error", description: "Every error has this shape.", example: errorBody("NOT_FOUND", "unknown relation nope", null) });

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  servers: { url: string }[];
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

const ERRORS: Record<string, string> = {
  "400": "Bad input (`BAD_REQUEST`, with `issues`) or a body that is not JSON (`PARSE_ERROR`)",
  "401": "No valid API key or session (`UNAUTHORIZED`)",
  "403": "The caller's role is below the operation's, or a cross-site change with a session cookie (`FORBIDDEN`)",
  "404": "Unknown relation, trigger, row, inference, version or fit run (`NOT_FOUND`)",
  "409": "The change conflicts with the current state (`CONFLICT`)",
  "413": "The body is over the size limit (`PAYLOAD_TOO_LARGE`)",
  "415": "The body is not `application/json` (`UNSUPPORTED_MEDIA_TYPE`)",
  "422": "The idempotency key was used before with a different body (`UNPROCESSABLE_CONTENT`)",
  "431": "The URL and headers are too long: send the query as `POST` with `X-HTTP-Method-Override: GET` and its input as a JSON body (`REQUEST_HEADER_FIELDS_TOO_LARGE`)",
  "429": "A fit route bound to the relation has its limit of rows waiting; nothing was written — retry later (`TOO_MANY_REQUESTS`)",
  "500": "A bug; details are in the server log (`INTERNAL_SERVER_ERROR`)",
};

function operation({ route, tier, type, procedure }: RestOperation): ZodOpenApiOperationObject {
  const object = inputObject(procedure._def.inputs);
  const shape = (object?.shape ?? {}) as Record<string, z.ZodType>;
  const pathNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const pick = (keep: (name: string) => boolean) => Object.fromEntries(Object.entries(shape).filter(([name]) => keep(name)));
  for (const name of pathNames) if (!(name in shape)) throw new Error(`REST route ${route.path}: {${name}} is not an input field of ${route.procedure}`);
  const rest = z.object(pick((name) => !pathNames.includes(name)));
  const hasRest = Object.keys(rest.shape).length > 0;
  const errors = tier === "public"
    ? ["400", ...(route.procedure === "auth.me" ? ["401"] : []), ...(type === "query" ? ["431"] : []), "500"]
    : ["400", "401", "403", "404", "409", ...(type === "mutation" ? ["413", "415"] : ["431"]), ...(route.procedure.startsWith("rows.add") ? ["422", "429"] : []), "500"];
  return {
    operationId: route.procedure,
    summary: route.summary,
    description: `${ROLE_TEXT[tier]} Same as the tRPC procedure \`${route.procedure}\`.`,
    tags: [route.procedure.includes(".") ? route.procedure.split(".")[0]! : route.procedure],
    ...(tier === "public" ? { security: [] } : { security: [{ apiKey: [] }, { session: [] }] }),
    requestParams: {
      ...(pathNames.length ? { path: z.object(pick((name) => pathNames.includes(name))) } : {}),
      ...(type === "query" && hasRest ? { query: queryWireSchema(rest) } : {}),
    },
    ...(type === "mutation" && hasRest
      ? { requestBody: { required: !rest.safeParse({}).success, content: { "application/json": { schema: rest } } } }
      : {}),
    responses: {
      "200": { description: "Success", content: { "application/json": { schema: route.output } } },
      ...Object.fromEntries(errors.map((status) => [status, { description: ERRORS[status]!, content: { "application/json": { schema: errorSchema } } }])),
    },
    "x-motion-tier": tier,
  };
}

export function buildOpenApiDocument(operations: RestOperation[], options: { baseURL: string; version: string; title?: string }): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of operations) {
    const item = (paths[op.route.path] ??= {}) as Record<string, ZodOpenApiOperationObject>;
    const method = op.route.method.toLowerCase();
    if (item[method]) throw new Error(`two REST routes for ${op.route.method} ${op.route.path}`);
    item[method] = operation(op);
  }
  const doc = createDocument(
    {
      openapi: "3.1.0",
      info: {
        title: options.title ?? "Motion API",
        version: options.version,
        description:
          "Plain HTTP + JSON over the same procedures as the tRPC API (`/api/trpc`): same authentication, roles, validation and errors. Dates are ISO 8601 strings. " +
          "A GET whose query is too long for a URL can be sent as `POST` with the header `X-HTTP-Method-Override: GET` and the same fields as a JSON body.",
      },
      servers: [{ url: `${options.baseURL.replace(/\/$/, "")}${REST_BASE_PATH}` }],
      paths,
      components: { securitySchemes: SECURITY_SCHEMES as never },
    },
    {
      override: ({ jsonSchema, zodSchema, io }) => {
        const def = (zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
        // Dates travel as ISO 8601 text both ways.
        if (def.type === "date") {
          jsonSchema.type = "string";
          jsonSchema.format = "date-time";
        }
        // Answers may gain fields: a documented object does not forbid the others.
        if (io === "output" && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
      },
    },
  );
  return doc as unknown as OpenApiDocument;
}
