import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, run, toDate, toDateOrNull } from "@motion/db";
import { insertApiKey } from "../../api-keys.ts";
import { audit, idSchema, reasonSchema, roleSchema } from "../../lib/common.ts";
import { toRole } from "../../principal.ts";
import { adminProcedure, router } from "../../trpc.ts";

export const apiKeysRouter = router({
  /** Every key with its role and last use; never the key or its hash. */
  list: adminProcedure.input(z.object({ includeRevoked: z.boolean().default(true) }).default({ includeRevoked: true })).query(async ({ ctx, input }) => {
    const rows = await ctx.motion.db.read(() =>
      all<Record<string, unknown>>(
        `SELECT "id", "name", "role", "prefix", "createdBy", "createdAt", "lastUsedAt", "revokedAt", "revokedBy" FROM "ApiKey"${input.includeRevoked ? "" : ` WHERE "revokedAt" IS NULL`} ORDER BY "id" DESC LIMIT 1000`,
      ),
    );
    return rows.map((k) => ({
      id: k.id as string,
      name: k.name as string,
      role: toRole(k.role),
      prefix: k.prefix as string,
      createdBy: k.createdBy as string,
      createdAt: toDate(k.createdAt),
      lastUsedAt: toDateOrNull(k.lastUsedAt),
      revokedAt: toDateOrNull(k.revokedAt),
      revokedBy: (k.revokedBy as string | null) ?? null,
    }));
  }),

  /** Creates a key; the returned `key` is shown this once (only its SHA-256 is stored). Audited. */
  create: adminProcedure
    .input(z.object({ name: z.string().trim().min(1).max(100).regex(/^[\w .@-]+$/, "letters, digits, space, _ . @ -"), role: roleSchema }))
    .mutation(async ({ ctx, input }) => {
      const at = new Date();
      const actor = ctx.actor;
      return ctx.motion.db.tx(function* () {
        const created = yield* insertApiKey({ name: input.name, role: input.role, createdBy: actor, at });
        yield* audit({ actor, action: "apiKeys.create", target: created.id, data: { name: created.name, role: created.role, prefix: created.prefix }, at });
        return created;
      });
    }),

  /** Revokes a key at once (the next request with it is UNAUTHORIZED). Audited. */
  revoke: adminProcedure.input(z.object({ id: idSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    const at = new Date();
    const actor = ctx.actor;
    const result = await ctx.motion.db.tx(function* () {
      const key = yield* get<{ id: string; name: string; revokedAt: unknown }>(`SELECT "id", "name", "revokedAt" FROM "ApiKey" WHERE "id" = ?`, [input.id]);
      if (!key) return null;
      if (key.revokedAt === null || key.revokedAt === undefined) {
        yield* run(`UPDATE "ApiKey" SET "revokedAt" = ?, "revokedBy" = ? WHERE "id" = ?`, [at, actor, key.id]);
        yield* audit({ actor, action: "apiKeys.revoke", target: key.id, reason: input.reason ?? null, data: { name: key.name }, at });
      }
      return { id: key.id, revokedAt: toDateOrNull(key.revokedAt) ?? at };
    });
    if (!result) throw new TRPCError({ code: "NOT_FOUND", message: `no API key ${input.id}` });
    return result;
  }),
});
