// The chatbot's relations: the documents it answers from (keyed by url, so re-adding a page
// replaces it) and the questions it is asked.

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
});

export const questions = relation("questions", {
  schema: z.object({
    text: z.string().trim().min(1).max(4000),
    /** Who asked (free text), shown in the console. */
    askedBy: z.string().max(200).optional(),
    /** When it was asked, for questions loaded later (a chat log): drift partitions follow it. */
    askedAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
  }),
  // Event time when the question says when it was asked, else the time it arrived.
  partitionBy: { by: (q: { askedAt?: string }) => q.askedAt ?? new Date(), granularity: "day" },
  profile: { exclude: ["askedAt"] },
});
