import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, run, toDate } from "@motion/db";
import { createUser } from "../../auth.ts";
import { audit, idSchema, reasonSchema, roleSchema } from "../../lib/common.ts";
import { toRole } from "../../principal.ts";
import { adminProcedure, router } from "../../trpc.ts";

export const usersRouter = router({
  list: adminProcedure.query(async ({ ctx }) => {
    const rows = await ctx.motion.db.read(() => all<Record<string, unknown>>(`SELECT "id", "email", "name", "role", "createdAt", "updatedAt" FROM "User" ORDER BY "createdAt", "id" LIMIT 1000`));
    return rows.map((u) => ({ id: u.id as string, email: u.email as string, name: u.name as string, role: toRole(u.role), createdAt: toDate(u.createdAt), updatedAt: toDate(u.updatedAt) }));
  }),

  /** Creates an operator (sign-up is closed to the public). Audited. */
  create: adminProcedure
    .input(z.object({ email: z.email().max(254), password: z.string().min(8).max(128), name: z.string().trim().max(200).optional(), role: roleSchema }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.auth) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "this API runs without auth" });
      const user = await createUser(ctx.auth, input);
      await ctx.motion.db.tx(() => audit({ actor: ctx.actor, action: "users.create", target: user.id, data: { email: user.email, role: user.role } }));
      return user;
    }),

  /** Changes a user's role (audited with who, when, from → to and the reason). */
  setRole: adminProcedure.input(z.object({ userId: idSchema, role: roleSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const now = new Date();
    const actor = ctx.actor;
    const result = await ctx.motion.db.tx(function* () {
      const user = yield* get<{ id: string; email: string; role: string }>(`SELECT "id", "email", "role" FROM "User" WHERE "id" = ?`, [input.userId]);
      if (!user) return { error: "NOT_FOUND" as const };
      if (user.role === "admin" && input.role !== "admin") {
        const admins = yield* get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "User" WHERE "role" = 'admin'`);
        if (Number(admins?.n ?? 0) <= 1) return { error: "LAST_ADMIN" as const };
      }
      yield* run(`UPDATE "User" SET "role" = ?, "updatedAt" = ? WHERE "id" = ?`, [input.role, now, user.id]);
      yield* audit({ actor, action: "users.setRole", target: user.id, reason: input.reason ?? null, data: { email: user.email, from: user.role, to: input.role }, at: now });
      return { user: { id: user.id, email: user.email, role: input.role, previousRole: toRole(user.role) } };
    });
    if ("error" in result) {
      if (result.error === "NOT_FOUND") throw new TRPCError({ code: "NOT_FOUND", message: `no user ${input.userId}` });
      throw new TRPCError({ code: "CONFLICT", message: "this is the last admin; make another user admin first" });
    }
    return result.user;
  }),
});
