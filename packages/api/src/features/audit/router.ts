import { z } from "zod";
import { idCursorSchema, limitSchema } from "../../lib/common.ts";
import { adminProcedure, router } from "../../trpc.ts";

export const auditRouter = router({
  /** Rollbacks, retries, params, role changes, users and API keys — newest first. */
  list: adminProcedure
    .input(z.object({ action: z.string().min(1).max(64).optional(), actor: z.string().min(1).max(320).optional(), cursor: idCursorSchema, limit: limitSchema }).default({ limit: 50 }))
    .query(({ ctx, input }) => ctx.motion.auditEvents(input)),
});
