// What fills a review queue: the Inferences search's filters and/or a seeded random sample.
// A sample is reproducible: an inference is in it when a hash of (seed, id) falls below the
// share, or, for "N items", when its hash is among the N smallest of the feed. The same seed
// over the same inferences picks the same items, in the same order.
import { createHash } from "node:crypto";
import { z } from "zod";

export const MAX_QUEUE_ITEMS = 10_000;
export const DEFAULT_QUEUE_ITEMS = 1_000;
/** Inferences one fill looks at, at most (a sample of N over a larger feed samples these). */
export const MAX_FEED_SCAN = 200_000;

export const queueFilterSchema = z.object({
  version: z.number().int().min(0).optional(),
  labeled: z.boolean().optional(),
  label: z.enum(["good", "bad"]).optional(),
  labeledBy: z.string().min(1).max(200).optional(),
  minLatencyMs: z.number().min(0).optional(),
  maxLatencyMs: z.number().min(0).optional(),
  errors: z.boolean().optional(),
  text: z.string().trim().min(1).max(200).optional(),
}).strict();

export const queueSampleSchema = z.object({
  /** Keep about this share of the feed (0 < share ≤ 1)... */
  share: z.number().gt(0).max(1).optional(),
  /** ...or exactly this many items (bottom-N by hash). */
  count: z.number().int().min(1).max(MAX_QUEUE_ITEMS).optional(),
  seed: z.string().min(1).max(100),
}).strict().refine((s) => (s.share === undefined) !== (s.count === undefined), { message: "give either share or count", path: ["share"] });

export const queueFeedSchema = z.object({
  filter: queueFilterSchema.default({}),
  sample: queueSampleSchema.optional(),
  maxItems: z.number().int().min(1).max(MAX_QUEUE_ITEMS).default(DEFAULT_QUEUE_ITEMS),
}).strict();

export type QueueFilter = z.output<typeof queueFilterSchema>;
export type QueueSample = z.output<typeof queueSampleSchema>;
export type QueueFeed = z.output<typeof queueFeedSchema>;
export type QueueFeedInput = z.input<typeof queueFeedSchema>;

/** A stable number in [0, 1) for this inference under this seed. */
export function sampleKey(seed: string, inferenceId: string): number {
  return createHash("sha256").update(`${seed}\u0000${inferenceId}`).digest().readUInt32BE(0) / 2 ** 32;
}
