import { initTRPC, TRPCError } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { ApiContext } from "./context.ts";
import { bearerKey } from "./api-keys.ts";
import { checkRawInput, describeIssues, issuesOf, toTRPCError } from "./errors.ts";
import { checkOrigin } from "./http/origin.ts";
import { actorOf, allows, type Principal, type Tier } from "./principal.ts";
import { transformer } from "./transformer.ts";

export interface Meta {
  /** Who may call the procedure; the tier test fails for a procedure without one. */
  tier: Tier;
}

const t = initTRPC
  .context<ApiContext>()
  .meta<Meta>()
  .create({
    transformer,
    // Subscriptions over server-sent events: a comment every 15 s keeps proxies from closing an
    // idle stream; a client that hears nothing for 45 s reconnects (with Last-Event-ID).
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 45_000 } },
    errorFormatter({ shape, error, ctx }) {
      // One shape for every error: a readable message, the tRPC code, and the input issues with
      // their full paths. Stacks and internal messages only in development.
      const development = ctx?.options.development === true;
      const issues = issuesOf(error.cause);
      // tRPC reports unparsable JSON input as BAD_REQUEST; it is a parse error.
      const parse = error.code === "BAD_REQUEST" && error.cause instanceof SyntaxError;
      let message = issues?.length ? describeIssues(issues) : shape.message;
      if (parse) message = `the input is not valid JSON (${shape.message})`;
      if (error.code === "INTERNAL_SERVER_ERROR" && !development) message = "Internal server error";
      const { stack, ...data } = shape.data;
      return {
        ...shape,
        message,
        code: parse ? TRPC_ERROR_CODES_BY_KEY.PARSE_ERROR : shape.code,
        data: { ...data, ...(parse ? { code: "PARSE_ERROR" as const } : {}), ...(development && stack ? { stack } : {}), issues },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Rejects input PostgreSQL cannot store or that is too deep or large (see checkRawInput). */
async function rejectBadInput(getRawInput: () => Promise<unknown>): Promise<void> {
  const issue = checkRawInput(await getRawInput());
  if (issue) throw new TRPCError({ code: "BAD_REQUEST", message: `${issue.path.join(".") || "input"}: ${issue.message}`, cause: Object.assign(new Error(issue.message), { issues: [issue] }) });
}

/**
 * A mutation authenticated by the session cookie must come from an allowed origin (CSRF). API
 * keys are not sent by browsers on their own, so Bearer calls are unaffected.
 */
function rejectCrossSite(ctx: ApiContext, type: string): void {
  if (type !== "mutation" || !ctx.headers.get("cookie") || bearerKey(ctx.headers)) return;
  const verdict = checkOrigin(ctx.headers, ctx.options.allowedOrigins);
  if (!verdict.ok) throw new TRPCError({ code: "FORBIDDEN", message: `cross-site request refused: ${verdict.reason}` });
}

/** Engine errors by code: VALIDATION → BAD_REQUEST, NOT_FOUND, CONFLICT; anything else is a bug. */
function mapEngineError<R extends { ok: boolean }>(result: R): R {
  if (!result.ok) {
    const error = (result as unknown as { error: TRPCError }).error;
    if (error.code === "INTERNAL_SERVER_ERROR") {
      const mapped = toTRPCError(error.cause);
      if (mapped) throw mapped;
    }
  }
  return result;
}

// One middleware per procedure (each tRPC middleware costs a context merge on every call):
// cross-site check, identity and role, raw input check, then engine errors mapped by code.
const publicGuard = t.middleware(async ({ ctx, type, getRawInput, next }) => {
  rejectCrossSite(ctx, type);
  await rejectBadInput(getRawInput);
  return mapEngineError(await next());
});

/** Mutations that can take access away from a key or a user (revoke, disable, delete, role, password); creating one cannot. */
const changesAccess = (path: string) => (path.startsWith("users.") || path.startsWith("apiKeys.")) && !path.endsWith(".create");

function tierGuard(tier: Exclude<Tier, "public">) {
  return t.middleware(async ({ ctx, type, path, getRawInput, next }) => {
    rejectCrossSite(ctx, type);
    const principal = await ctx.resolvePrincipal();
    if (!principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send Authorization: Bearer <api key>" });
    if (!allows(principal.role, tier)) throw new TRPCError({ code: "FORBIDDEN", message: `requires the ${tier} role (you are ${principal.role})` });
    await rejectBadInput(getRawInput);
    if (type !== "mutation" || !changesAccess(path)) return mapEngineError(await next({ ctx: { principal: principal as Principal, actor: actorOf(principal) } }));
    try {
      return mapEngineError(await next({ ctx: { principal: principal as Principal, actor: actorOf(principal) } }));
    } finally {
      // Before the answer leaves: the caller's next request must already be refused.
      await ctx.authChanged();
    }
  });
}

export const publicProcedure = t.procedure.meta({ tier: "public" }).use(publicGuard);
export const viewerProcedure = t.procedure.meta({ tier: "viewer" }).use(tierGuard("viewer"));
export const labelerProcedure = t.procedure.meta({ tier: "labeler" }).use(tierGuard("labeler"));
export const adminProcedure = t.procedure.meta({ tier: "admin" }).use(tierGuard("admin"));
