import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { OffboardingRefusal } from "@motion/engine";
import { createUser } from "../../auth.ts";
import { idSchema, listInput, MAX_NAME_LENGTH, reasonSchema, roleSchema } from "../../lib/common.ts";
import { toRole, userIdOf } from "../../principal.ts";
import { adminProcedure, router } from "../../trpc.ts";

// Users are stored by the engine (`motion.identity`: identity/user-store.ts and, for disabling,
// deleting and new passwords, identity/offboarding.ts); this router checks input and tier.

const passwordSchema = z.string().min(8).max(128);

function refusal(result: OffboardingRefusal, userId: string, verb: string): TRPCError {
  if (result.error === "NOT_FOUND") return new TRPCError({ code: "NOT_FOUND", message: `no user ${userId}` });
  if (result.error === "SELF") return new TRPCError({ code: "CONFLICT", message: `you cannot ${verb} yourself (or the owner of the API key you call with); ask another admin` });
  return new TRPCError({ code: "CONFLICT", message: `this is the last active admin; make another user admin before you ${verb} them` });
}

export const usersRouter = router({
  /** Newest first, `{ items, nextCursor }` (keyset on the time-sortable id). */
  list: adminProcedure.input(listInput).query(async ({ ctx, input }) => {
    const { items, nextCursor } = await ctx.motion.identity.users.list({ cursor: input.cursor, limit: input.limit });
    return { items: items.map((u) => ({ ...u, role: toRole(u.role) })), nextCursor };
  }),

  /** Creates an operator (sign-up is closed to the public). Audited. */
  create: adminProcedure
    .input(z.object({ email: z.email().max(254), password: z.string().min(8).max(128), name: z.string().trim().max(MAX_NAME_LENGTH).optional(), role: roleSchema }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.auth) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "this API runs without auth" });
      const user = await createUser(ctx.auth, input);
      await ctx.motion.identity.users.recordCreated(user, { actor: ctx.actor });
      return user;
    }),

  /** Changes a user's role (audited with who, when, from → to and the reason). */
  setRole: adminProcedure.input(z.object({ userId: idSchema, role: roleSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const result = await ctx.motion.identity.users.setRole(input.userId, input.role, { actor: ctx.actor, reason: input.reason ?? null });
    if ("error" in result) {
      if (result.error === "NOT_FOUND") throw new TRPCError({ code: "NOT_FOUND", message: `no user ${input.userId}` });
      throw new TRPCError({ code: "CONFLICT", message: "this is the last admin; make another user admin first" });
    }
    return { id: result.user.id, email: result.user.email, role: input.role, previousRole: toRole(result.user.previousRole) };
  }),

  /**
   * Disables an operator: they cannot sign in, their sessions end and the API keys they own
   * are revoked, all at once (their next request is UNAUTHORIZED). Audited. Not yourself, not
   * the last active admin.
   */
  disable: adminProcedure.input(z.object({ userId: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const result = await ctx.motion.identity.offboarding.disable(input.userId, { actor: ctx.actor, selfId: userIdOf(ctx.principal), reason: input.reason ?? null });
    if ("error" in result) throw refusal(result, input.userId, "disable");
    return result.user;
  }),

  /** Lets a disabled operator sign in again (their revoked API keys stay revoked). Audited. */
  enable: adminProcedure.input(z.object({ userId: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const user = await ctx.motion.identity.offboarding.enable(input.userId, { actor: ctx.actor, reason: input.reason ?? null });
    if (!user) throw new TRPCError({ code: "NOT_FOUND", message: `no user ${input.userId}` });
    return { id: user.id, email: user.email, disabledAt: null };
  }),

  /**
   * Deletes an operator and their sign-in credentials; the API keys they own are revoked (and
   * kept, revoked, for the audit trail), as are their review locks. Labels and audit entries
   * they made keep their e-mail as the actor. Audited. Not yourself, not the last active admin.
   */
  delete: adminProcedure.input(z.object({ userId: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const result = await ctx.motion.identity.offboarding.delete(input.userId, { actor: ctx.actor, selfId: userIdOf(ctx.principal), reason: input.reason ?? null });
    if ("error" in result) throw refusal(result, input.userId, "delete");
    return result.user;
  }),

  /**
   * An admin sets a new password for an operator (who forgot theirs, or whose password
   * leaked) and hands it over out of band. Every session of that user ends; their API keys
   * are untouched. Audited without the password.
   */
  setPassword: adminProcedure.input(z.object({ userId: idSchema, password: passwordSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    if (!ctx.auth) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "this API runs without auth" });
    const hash = await (await ctx.auth.$context).password.hash(input.password);
    const result = await ctx.motion.identity.offboarding.setPassword(input.userId, hash, { actor: ctx.actor, reason: input.reason ?? null });
    if (!result) throw new TRPCError({ code: "NOT_FOUND", message: `no user ${input.userId}` });
    return result;
  }),
});
