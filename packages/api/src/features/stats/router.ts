import { z } from "zod";
import { all, toDate, toDateOrNull, toNum, toNumOrNull } from "@motion/db";
import { idAt } from "../../lib/common.ts";
import { router, viewerProcedure } from "../../trpc.ts";
import { bucketMinutesFor, bucketStarts, prepareOverview, type FitPoint, type InferencePoint } from "./prepare.ts";

const MAX_POINTS = 200_000;

export const statsRouter = router({
  /** Per trigger and bucket (a minute up to 1 h, coarser beyond: `bucketMinutes`): inference count, infer latency p50/p99, fit count and durations. */
  overview: viewerProcedure.input(z.object({ minutes: z.number().int().min(1).max(1_440).default(60) }).default({ minutes: 60 })).query(async ({ ctx, input }) => {
    const now = Date.now();
    const bucketMinutes = bucketMinutesFor(input.minutes);
    const from = new Date(bucketStarts(now, input.minutes, bucketMinutes)[0]!);
    const { inferences, fits } = await ctx.motion.db.read(function* () {
      // Ids are time-sortable: the primary key bounds the scan to the window.
      const inferences = yield* all<{ trigger: string; createdAt: unknown; latencyMs: unknown }>(
        `SELECT "trigger", "createdAt", "latencyMs" FROM "Inference" WHERE "id" >= ? ORDER BY "id" LIMIT ?`,
        [idAt(from), MAX_POINTS],
      );
      const fits = yield* all<{ trigger: string; finishedAt: unknown; durationMs: unknown; status: string }>(
        `SELECT "trigger", "finishedAt", "durationMs", "status" FROM "FitRun" WHERE "id" >= ? AND "finishedAt" >= ? LIMIT ?`,
        [idAt(new Date(from.getTime() - 86_400_000)), from, MAX_POINTS],
      );
      return { inferences, fits };
    });
    const points: InferencePoint[] = inferences.map((r) => ({ trigger: r.trigger, at: toDate(r.createdAt).getTime(), latencyMs: toNum(r.latencyMs) }));
    const fitPoints: FitPoint[] = fits.map((r) => ({ trigger: r.trigger, at: toDateOrNull(r.finishedAt)?.getTime() ?? 0, durationMs: toNumOrNull(r.durationMs), status: r.status }));
    return {
      ...prepareOverview({ triggers: ctx.motion.app.triggers.map((t) => t.name), inferences: points, fits: fitPoints, now, minutes: input.minutes, bucketMinutes }),
      truncated: inferences.length >= MAX_POINTS,
    };
  }),
});
