import { z } from "zod";
import { all, toDate, toJsonOrNull } from "@motion/db";
import { cursorSchema, limitSchema, page, Where } from "../../lib/common.ts";
import { adminProcedure, router } from "../../trpc.ts";

export const auditRouter = router({
  /** Rollbacks, retries, params, role changes, users and API keys — newest first. */
  list: adminProcedure
    .input(z.object({ action: z.string().min(1).max(64).optional(), actor: z.string().min(1).max(320).optional(), cursor: cursorSchema, limit: limitSchema }).default({ limit: 50 }))
    .query(async ({ ctx, input }) => {
      const where = new Where();
      if (input.action) where.add(`"action" = ?`, input.action);
      if (input.actor) where.add(`"actor" = ?`, input.actor);
      if (input.cursor) where.add(`"id" < ?`, input.cursor);
      const rows = await ctx.motion.db.read(() => all<Record<string, unknown>>(`SELECT * FROM "AuditEvent" ${where.sql()} ORDER BY "id" DESC LIMIT ?`, [...where.params, input.limit + 1]));
      const items = rows.map((r) => ({
        id: r.id as string,
        actor: r.actor as string,
        action: r.action as string,
        target: r.target as string,
        reason: (r.reason as string | null) ?? null,
        data: toJsonOrNull(r.data),
        createdAt: toDate(r.createdAt),
      }));
      return page(items, input.limit, (e) => e.id);
    }),
});
