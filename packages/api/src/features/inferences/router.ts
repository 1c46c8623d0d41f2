import { z } from "zod";
import type { InferenceFeedback, InferenceRecord } from "@motion/engine";
import { idCursorSchema, idSchema, limitSchema, nameSchema, versionSchema } from "../../lib/common.ts";
import { router, viewerProcedure } from "../../trpc.ts";

export type InferenceItem = InferenceRecord;
export type FeedbackItem = InferenceFeedback;
export { withDetails } from "@motion/engine";

const latencySchema = z.number().min(0).max(86_400_000);

export const inferencesRouter = router({
  /**
   * Newest first, keyset on id, with each inference's input and labels. Filters: trigger,
   * relation, version, `labeled`, `label`, `labeledBy` (the labeler), latency bounds, `errors`;
   * `text` searches the input and the output (case-insensitive) over a bounded window of the
   * newest matching inferences per call — `searchedBack` says how far back it looked when the
   * window ended first (the next page goes on from there).
   */
  list: viewerProcedure
    .input(
      z
        .object({
          trigger: nameSchema.optional(),
          relation: nameSchema.optional(),
          labeled: z.boolean().optional(),
          label: z.enum(["good", "bad"]).optional(),
          labeledBy: z.string().trim().min(1).max(320).optional(),
          version: versionSchema.optional(),
          minLatencyMs: latencySchema.optional(),
          maxLatencyMs: latencySchema.optional(),
          errors: z.boolean().optional(),
          text: z.string().trim().min(1).max(500).optional(),
          cursor: idCursorSchema,
          limit: limitSchema,
        })
        .refine((i) => i.minLatencyMs === undefined || i.maxLatencyMs === undefined || i.minLatencyMs <= i.maxLatencyMs, { message: "minLatencyMs must not exceed maxLatencyMs", path: ["minLatencyMs"] })
        // No filters at all is a valid list (as users.list, fits.list): the newest page.
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => ctx.motion.searchInferences(input)),

  get: viewerProcedure.input(z.object({ id: idSchema })).query(({ ctx, input }) => ctx.motion.inference(input.id)),
});
