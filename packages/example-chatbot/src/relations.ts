// The chatbot's relations: the documents it answers from (keyed by url, so re-adding a page
// replaces it), the questions it is asked, and what answering cost at the model provider.

import { z } from "zod";
import { relation } from "@motion/engine";

export const documents = relation("documents", {
  schema: z.object({
    url: z.string().min(1).max(2048),
    /** The document's title from its metadata; else its first heading is used. */
    title: z.string().max(500).optional(),
    text: z.string().max(2_000_000),
  }),
  key: "url",
  // Pages arrive in crawls: one partition per ingest day (the default), watched for pages that
  // come back empty or truncated (text length, title coverage).
  profile: { exclude: ["url"] },
});

export const questions = relation("questions", {
  schema: z.object({
    text: z.string().trim().min(1).max(4000),
    /** Who asked (free text), shown in the console. */
    askedBy: z.string().max(200).optional(),
    /** When it was asked, if not now (questions imported from a log keep their own time). */
    askedAt: z.iso.datetime({ offset: true }).optional(),
  }),
  // Event time: an imported log of last month's questions falls into last month's days.
  partitionBy: { by: (q) => q.askedAt ?? new Date(), granularity: "day" },
  profile: { exclude: ["askedAt"] },
  // Questions are personal data: a year is enough to learn from them and to audit answers.
  retention: { days: 365 },
});

/**
 * What answering cost: one row per provider billing line (no trigger reads it; it is there to
 * be browsed and filtered in the console, e.g. `amount > 20`).
 */
export const usage = relation("usage", {
  schema: z.object({
    model: z.string().min(1).max(200),
    tokens: z.number().int().min(0),
    /** US cents. */
    amount: z.number().min(0),
  }),
});
