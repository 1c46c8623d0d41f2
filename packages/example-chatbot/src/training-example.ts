// How a labeled answer becomes a fine-tuning example for the chatbot: the question as the
// user's turn, and as the assistant's the answer to learn with the page it comes from.
// A good answer is kept with its first cited page; a correction's answer replaces a bad one
// (with the corrected page, if given); a correction that only names the right page says
// nothing about what to answer, so it is left out (it still teaches retrieval through fits).
import type { ChatExample, LabeledExample } from "@motion/engine";
import { readCorrection } from "./correction.ts";

interface OutputLike {
  answer?: unknown;
  sources?: { url?: unknown }[];
}

function questionOf(input: unknown): string | null {
  const text = (input as { text?: unknown } | null)?.text;
  return typeof text === "string" && text.trim() ? text.trim() : null;
}

const withSource = (answer: string, source: string | null) => (source ? `${answer}\n\nSource: ${source}` : answer);

export function chatbotTrainingExample(example: LabeledExample): ChatExample | null {
  const question = questionOf(example.input);
  if (!question) return null;
  let answer: string | null = null;
  if (example.label === "good") {
    const output = (example.output ?? {}) as OutputLike;
    const first = output.sources?.[0]?.url;
    if (typeof output.answer === "string" && output.answer.trim()) answer = withSource(output.answer.trim(), typeof first === "string" ? first : null);
  } else {
    const correction = readCorrection(example.correction);
    if (correction?.answer) answer = withSource(correction.answer, correction.source);
  }
  if (!answer) return null;
  return { messages: [{ role: "user", content: question }, { role: "assistant", content: answer }] };
}
