import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ApiKeyNameTaken, apiKeyNameSchema, createApiKey, MAX_API_KEY_LIFETIME_MS } from "../../api-keys.ts";
import { cursorSchema, idSchema, limitSchema, reasonSchema, roleSchema } from "../../lib/common.ts";
import { toRole, userIdOf } from "../../principal.ts";
import { adminProcedure, router } from "../../trpc.ts";

// Keys are stored by the engine (`motion.identity.apiKeys`, identity/api-key-store.ts).

function statusOf(k: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): "active" | "expired" | "revoked" {
  if (k.revokedAt) return "revoked";
  return k.expiresAt && k.expiresAt.getTime() <= now.getTime() ? "expired" : "active";
}

export const apiKeysRouter = router({
  /** Newest first, `{ items, nextCursor }`: each key's role, status and last use; never the key or its hash. */
  list: adminProcedure
    .input(z.object({ includeRevoked: z.boolean().default(true), cursor: cursorSchema, limit: limitSchema }).default({ includeRevoked: true, limit: 50 }))
    .query(async ({ ctx, input }) => {
      const { items, nextCursor } = await ctx.motion.identity.apiKeys.list({ includeRevoked: input.includeRevoked, cursor: input.cursor, limit: input.limit });
      const now = new Date();
      return { items: items.map((k) => ({ ...k, role: toRole(k.role), status: statusOf(k, now) })), nextCursor };
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
        return await createApiKey(ctx.motion.identity.apiKeys, { name: input.name, role: input.role, createdBy: ctx.actor, ownerId: userIdOf(ctx.principal), expiresAt: input.expiresAt ?? null });
      } catch (error) {
        if (error instanceof ApiKeyNameTaken) throw new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
        throw error;
      }
    }),

  /** Revokes a key at once (the next request with it is UNAUTHORIZED). Audited. */
  revoke: adminProcedure.input(z.object({ id: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const result = await ctx.motion.identity.apiKeys.revoke(input.id, { actor: ctx.actor, reason: input.reason ?? null });
    if (!result) throw new TRPCError({ code: "NOT_FOUND", message: `no API key ${input.id}` });
    return result;
  }),
});
