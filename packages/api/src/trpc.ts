import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { ApiContext } from "./context.ts";
import { checkRawInput, issuesOf, toTRPCError } from "./errors.ts";
import { actorOf, allows, type Principal, type Tier } from "./principal.ts";

export interface Meta {
  /** Who may call the procedure; the tier test fails for a procedure without one. */
  tier: Tier;
}

const t = initTRPC
  .context<ApiContext>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      return {
        ...shape,
        // Never leak internals of a genuine bug to callers in production.
        message: internal && process.env.NODE_ENV === "production" ? "Internal server error" : shape.message,
        data: { ...shape.data, issues: issuesOf(error.cause) },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Engine errors by code: VALIDATION → BAD_REQUEST, NOT_FOUND, CONFLICT. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const mapped = toTRPCError(result.error.cause);
    if (mapped) throw mapped;
  }
  return result;
});

const guardInput = t.middleware(async ({ getRawInput, next }) => {
  const issue = checkRawInput(await getRawInput());
  if (issue) throw new TRPCError({ code: "BAD_REQUEST", message: `${issue.path.join(".") || "input"}: ${issue.message}`, cause: Object.assign(new Error(issue.message), { issues: [issue] }) });
  return next();
});

function requireTier(tier: Exclude<Tier, "public">) {
  return t.middleware(async ({ ctx, next }) => {
    const principal = await ctx.resolvePrincipal();
    if (!principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send Authorization: Bearer <api key>" });
    if (!allows(principal.role, tier)) throw new TRPCError({ code: "FORBIDDEN", message: `requires the ${tier} role (you are ${principal.role})` });
    return next({ ctx: { principal: principal as Principal, actor: actorOf(principal) } });
  });
}

const base = t.procedure.use(mapErrors);

export const publicProcedure = base.meta({ tier: "public" }).use(guardInput);
export const viewerProcedure = base.meta({ tier: "viewer" }).use(requireTier("viewer")).use(guardInput);
export const labelerProcedure = base.meta({ tier: "labeler" }).use(requireTier("labeler")).use(guardInput);
export const adminProcedure = base.meta({ tier: "admin" }).use(requireTier("admin")).use(guardInput);
