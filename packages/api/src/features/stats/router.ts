import { z } from "zod";
import { LATENCY_ACCURACY } from "@motion/engine";
import { router, viewerProcedure } from "../../trpc.ts";
import { bucketMinutesFor, bucketStarts, prepareOverview } from "./prepare.ts";

const MAX_FITS = 200_000;

export const statsRouter = router({
  /**
   * Per trigger and bucket (a minute up to 1 h, coarser beyond: `bucketMinutes`): inference
   * count and errors (exact, from per-minute rollups), infer latency p50/p99 (from merged
   * histograms, within `latencyRelativeError` of the true value), fit count and durations.
   * `truncated` is true only when more than 200,000 fit runs finished in the range and the
   * fit figures cover the first 200,000.
   */
  overview: viewerProcedure.input(z.object({ minutes: z.number().int().min(1).max(1_440).default(60) }).default({ minutes: 60 })).query(async ({ ctx, input }) => {
    const now = Date.now();
    const bucketMinutes = bucketMinutesFor(input.minutes);
    const starts = bucketStarts(now, input.minutes, bucketMinutes);
    const from = new Date(starts[0]!);
    const to = new Date(starts[starts.length - 1]! + bucketMinutes * 60_000);
    const activity = await ctx.motion.activity({ from, to, bucketMinutes, maxFits: MAX_FITS });
    return {
      ...prepareOverview({ triggers: ctx.motion.app.triggers.map((t) => t.name), inferences: activity.triggers, fits: activity.fits, now, minutes: input.minutes, bucketMinutes }),
      latencyRelativeError: LATENCY_ACCURACY,
      truncated: !activity.fitsComplete,
    };
  }),
});
