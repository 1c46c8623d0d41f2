import { TRPCError } from "@trpc/server";
import { publicProcedure, router } from "../../trpc.ts";
import { API_VERSION } from "../../version.ts";

export const healthRouter = publicProcedure.query(async ({ ctx }) => {
  const ok = await ctx.motion.ping();
  return { ok, version: API_VERSION, database: ctx.motion.db.provider, app: ctx.motion.app.name };
});

export const authRouter = router({
  /**
   * The caller, or null when anonymous (no credential, or a session cookie that has ended: the
   * console's "signed out"). A Bearer key that is unknown, revoked or expired is UNAUTHORIZED:
   * a script checking its key must not read success.
   */
  me: publicProcedure.query(async ({ ctx }) => {
    const p = await ctx.resolvePrincipal();
    if (!p && ctx.headers.get("authorization")) throw new TRPCError({ code: "UNAUTHORIZED", message: "this API key is unknown, revoked or expired (send Authorization: Bearer <api key>)" });
    if (!p) return null;
    return p.kind === "user"
      ? { kind: p.kind, id: p.id, email: p.email as string | undefined, name: p.name as string | undefined, role: p.role }
      : { kind: p.kind, id: p.id, email: undefined as string | undefined, name: p.name as string | undefined, role: p.role };
  }),
});
