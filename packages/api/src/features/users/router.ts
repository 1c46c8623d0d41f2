import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, newId, run, toDate, toDateOrNull, type Query } from "@motion/db";
import { createUser } from "../../auth.ts";
import { audit, idSchema, listInput, page, reasonSchema, roleSchema } from "../../lib/common.ts";
import { toRole, userIdOf, type Principal } from "../../principal.ts";
import { adminProcedure, router } from "../../trpc.ts";
import { endSessions, findUser, otherActiveAdmins, revokeAccess, storePasswordHash, type UserRow } from "./offboard.ts";

const passwordSchema = z.string().min(8).max(128);

type Refusal = { error: "NOT_FOUND" | "SELF" | "LAST_ADMIN" };

/** Why `principal` may not disable or delete `user` (null when it may). */
function* refuseOffboarding(principal: Principal, user: UserRow | undefined): Query<Refusal | null> {
  if (!user) return { error: "NOT_FOUND" };
  if (userIdOf(principal) === user.id) return { error: "SELF" };
  if (user.role === "admin" && (user.disabledAt === null || user.disabledAt === undefined) && (yield* otherActiveAdmins(user.id)) === 0) return { error: "LAST_ADMIN" };
  return null;
}

function refusal(result: Refusal, userId: string, verb: string): TRPCError {
  if (result.error === "NOT_FOUND") return new TRPCError({ code: "NOT_FOUND", message: `no user ${userId}` });
  if (result.error === "SELF") return new TRPCError({ code: "CONFLICT", message: `you cannot ${verb} yourself (or the owner of the API key you call with); ask another admin` });
  return new TRPCError({ code: "CONFLICT", message: `this is the last active admin; make another user admin before you ${verb} them` });
}

export const usersRouter = router({
  /** Newest first, `{ items, nextCursor }` (keyset on the time-sortable id). */
  list: adminProcedure.input(listInput).query(async ({ ctx, input }) => {
    const rows = await ctx.motion.db.read(() =>
      all<Record<string, unknown>>(
        `SELECT "id", "email", "name", "role", "createdAt", "updatedAt", "disabledAt", "disabledBy" FROM "User"${input.cursor ? ` WHERE "id" < ?` : ""} ORDER BY "id" DESC LIMIT ?`,
        input.cursor ? [input.cursor, input.limit + 1] : [input.limit + 1],
      ),
    );
    const items = rows.map((u) => ({
      id: u.id as string,
      email: u.email as string,
      name: u.name as string,
      role: toRole(u.role),
      createdAt: toDate(u.createdAt),
      updatedAt: toDate(u.updatedAt),
      disabledAt: toDateOrNull(u.disabledAt),
      disabledBy: (u.disabledBy as string | null) ?? null,
    }));
    return page(items, input.limit, (u) => u.id);
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
      if (user.role === "admin" && input.role !== "admin" && (yield* otherActiveAdmins(user.id)) === 0) return { error: "LAST_ADMIN" as const };
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

  /**
   * Disables an operator: they cannot sign in, their sessions end and the API keys they own
   * are revoked, all at once (their next request is UNAUTHORIZED). Audited. Not yourself, not
   * the last active admin.
   */
  disable: adminProcedure.input(z.object({ userId: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const at = new Date();
    const { actor, principal } = ctx;
    const result = await ctx.motion.db.tx(function* () {
      const user = yield* findUser(input.userId);
      const refused = yield* refuseOffboarding(principal, user);
      if (refused) return refused;
      const wasDisabled = user!.disabledAt !== null && user!.disabledAt !== undefined;
      if (!wasDisabled) yield* run(`UPDATE "User" SET "disabledAt" = ?, "disabledBy" = ?, "updatedAt" = ? WHERE "id" = ?`, [at, actor, at, user!.id]);
      const revoked = yield* revokeAccess(user!.id, actor, at);
      yield* audit({ actor, action: "users.disable", target: user!.id, reason: input.reason ?? null, data: { email: user!.email, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys }, at });
      return { user: { id: user!.id, email: user!.email, disabledAt: wasDisabled ? toDate(user!.disabledAt) : at, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys.length } };
    });
    if ("error" in result) throw refusal(result, input.userId, "disable");
    return result.user;
  }),

  /** Lets a disabled operator sign in again (their revoked API keys stay revoked). Audited. */
  enable: adminProcedure.input(z.object({ userId: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const at = new Date();
    const actor = ctx.actor;
    const user = await ctx.motion.db.tx(function* () {
      const user = yield* findUser(input.userId);
      if (!user) return null;
      if (user.disabledAt !== null && user.disabledAt !== undefined) {
        yield* run(`UPDATE "User" SET "disabledAt" = NULL, "disabledBy" = NULL, "updatedAt" = ? WHERE "id" = ?`, [at, user.id]);
        yield* audit({ actor, action: "users.enable", target: user.id, reason: input.reason ?? null, data: { email: user.email }, at });
      }
      return user;
    });
    if (!user) throw new TRPCError({ code: "NOT_FOUND", message: `no user ${input.userId}` });
    return { id: user.id, email: user.email, disabledAt: null };
  }),

  /**
   * Deletes an operator and their sign-in credentials; the API keys they own are revoked (and
   * kept, revoked, for the audit trail), as are their review locks. Labels and audit entries
   * they made keep their e-mail as the actor. Audited. Not yourself, not the last active admin.
   */
  delete: adminProcedure.input(z.object({ userId: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const at = new Date();
    const { actor, principal } = ctx;
    const result = await ctx.motion.db.tx(function* () {
      const user = yield* findUser(input.userId);
      const refused = yield* refuseOffboarding(principal, user);
      if (refused) return refused;
      const revoked = yield* revokeAccess(user!.id, actor, at);
      yield* run(`DELETE FROM "Account" WHERE "userId" = ?`, [user!.id]);
      yield* run(`DELETE FROM "User" WHERE "id" = ?`, [user!.id]);
      yield* audit({ actor, action: "users.delete", target: user!.id, reason: input.reason ?? null, data: { email: user!.email, role: user!.role, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys }, at });
      return { user: { id: user!.id, email: user!.email, deleted: true as const, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys.length } };
    });
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
    const at = new Date();
    const actor = ctx.actor;
    const result = await ctx.motion.db.tx(function* () {
      const user = yield* findUser(input.userId);
      if (!user) return null;
      yield* storePasswordHash(user.id, hash, at, newId(at.getTime()));
      const sessions = yield* endSessions(user.id);
      yield* audit({ actor, action: "users.setPassword", target: user.id, reason: input.reason ?? null, data: { email: user.email, sessionsEnded: sessions }, at });
      return { id: user.id, email: user.email, sessionsEnded: sessions };
    });
    if (!result) throw new TRPCError({ code: "NOT_FOUND", message: `no user ${input.userId}` });
    return result;
  }),
});
