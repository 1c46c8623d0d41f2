// How an operator corrects the chatbot: the answer it should have given, the page it should
// have cited, or both. Declared on the trigger (`correction:`), so Motion rejects anything
// else and the console can render a form; `source` is picked from the documents' urls.

import { z } from "zod";
import { optionsFrom } from "@motion/engine";
import { documents } from "./relations.ts";

export const chatbotCorrection = z
  .object({
    answer: z.string().trim().min(1).max(20_000).optional().describe("The answer the chatbot should have given."),
    source: z
      .string()
      .min(1)
      .max(2048)
      .meta({ ...optionsFrom(documents, "url", { label: "title" }), description: "The document the answer should cite." })
      .optional(),
  })
  .refine((c) => c.answer !== undefined || c.source !== undefined, { message: "a correction needs an answer, a source or both" });

export type ChatbotCorrection = z.output<typeof chatbotCorrection>;

export interface ParsedCorrection {
  answer: string | null;
  source: string | null;
}

/**
 * A stored correction, read leniently: feedback rows written before the schema existed may hold
 * a string (an answer) or `{ answer?, url? }`. An output's `sources` list is never read as the
 * right source: those are the pages the operator was correcting.
 */
export function readCorrection(correction: unknown): ParsedCorrection | null {
  if (typeof correction === "string") return correction.trim() ? { answer: correction.trim(), source: null } : null;
  if (!correction || typeof correction !== "object") return null;
  const c = correction as { answer?: unknown; source?: unknown; url?: unknown };
  const answer = typeof c.answer === "string" && c.answer.trim() ? c.answer.trim() : null;
  const source = typeof c.source === "string" && c.source ? c.source : typeof c.url === "string" && c.url ? c.url : null;
  return answer || source ? { answer, source } : null;
}
