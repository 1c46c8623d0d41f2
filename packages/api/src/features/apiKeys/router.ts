import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, run, toDate, toDateOrNull } from "@motion/db";
import { ApiKeyNameTaken, apiKeyNameSchema, createApiKey, MAX_API_KEY_LIFETIME_MS } from "../../api-keys.ts";
import { audit, cursorSchema, idSchema, limitSchema, page, reasonSchema, roleSchema, Where } from "../../lib/common.ts";
import { toRole, userIdOf } from "../../principal.ts";

function statusOf(k: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): "active" | "expired" | "revoked" {
  if (k.revokedAt) return "revoked";
  return k.expiresAt && k.expiresAt.getTime() <= now.getTime() ? "expired" : "active";
}
import { adminProcedure, router } from "../../trpc.ts";

export const apiKeysRouter = router({
  /** Newest first, `{ items, nextCursor }`: each key's role, status and last use; never the key or its hash. */
  list: adminProcedure
    .input(z.object({ includeRevoked: z.boolean().default(true), cursor: cursorSchema, limit: limitSchema }).default({ includeRevoked: true, limit: 50 }))
    .query(async ({ ctx, input }) => {
    const where = new Where();
    if (!input.includeRevoked) where.add(`k."revokedAt" IS NULL`);
    if (input.cursor) where.add(`k."id" < ?`, input.cursor);
    const rows = await ctx.motion.db.read(() =>
      all<Record<string, unknown>>(
        `SELECT k."id", k."name", k."role", k."prefix", k."createdBy", k."createdAt", k."lastUsedAt", k."revokedAt", k."revokedBy", k."expiresAt", k."ownerId", u."email" AS "ownerEmail" FROM "ApiKey" k LEFT JOIN "User" u ON u."id" = k."ownerId" ${where.sql()} ORDER BY k."id" DESC LIMIT ?`,
        [...where.params, input.limit + 1],
      ),
    );
    const now = new Date();
    const items = rows.map((k) => {
      const key = {
        id: k.id as string,
        name: k.name as string,
        role: toRole(k.role),
        prefix: k.prefix as string,
        createdBy: k.createdBy as string,
        createdAt: toDate(k.createdAt),
        lastUsedAt: toDateOrNull(k.lastUsedAt),
        revokedAt: toDateOrNull(k.revokedAt),
        revokedBy: (k.revokedBy as string | null) ?? null,
        expiresAt: toDateOrNull(k.expiresAt),
        ownerId: (k.ownerId as string | null) ?? null,
        /** null when the owner was deleted (or the key predates owners). */
        ownerEmail: (k.ownerEmail as string | null) ?? null,
      };
      return { ...key, status: statusOf(key, now) };
    });
    return page(items, input.limit, (k) => k.id);
  }),

  /**
   * Creates a key owned by the caller (for a key, by its owner); the returned `key` is shown
   * this once (only its SHA-256 is stored). `expiresAt`: refused from then on (default: never).
   * A name already used by another of the owner's live keys is a CONFLICT. Audited.
   */
  create: adminProcedure
    .input(
      z.object({
        name: apiKeyNameSchema,
        role: roleSchema,
        expiresAt: z
          .date()
          .refine((d) => d.getTime() > Date.now(), "must be in the future")
          .refine((d) => d.getTime() <= Date.now() + MAX_API_KEY_LIFETIME_MS, "must be within 10 years")
          .nullish(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      try {
        return await createApiKey(ctx.motion.db, { name: input.name, role: input.role, createdBy: ctx.actor, ownerId: userIdOf(ctx.principal), expiresAt: input.expiresAt ?? null });
      } catch (error) {
        if (error instanceof ApiKeyNameTaken) throw new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
        throw error;
      }
    }),

  /** Revokes a key at once (the next request with it is UNAUTHORIZED). Audited. */
  revoke: adminProcedure.input(z.object({ id: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const at = new Date();
    const actor = ctx.actor;
    const result = await ctx.motion.db.tx(function* () {
      const key = yield* get<{ id: string; name: string; revokedAt: unknown }>(`SELECT "id", "name", "revokedAt" FROM "ApiKey" WHERE "id" = ?`, [input.id]);
      if (!key) return null;
      if (key.revokedAt === null || key.revokedAt === undefined) {
        yield* run(`UPDATE "ApiKey" SET "revokedAt" = ?, "revokedBy" = ?, "liveName" = NULL WHERE "id" = ?`, [at, actor, key.id]);
        yield* audit({ actor, action: "apiKeys.revoke", target: key.id, reason: input.reason ?? null, data: { name: key.name }, at });
      }
      return { id: key.id, revokedAt: toDateOrNull(key.revokedAt) ?? at };
    });
    if (!result) throw new TRPCError({ code: "NOT_FOUND", message: `no API key ${input.id}` });
    return result;
  }),
});
