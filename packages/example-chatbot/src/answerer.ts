// Turning retrieved chunks into an answer. The local provider answers extractively: it picks
// the sentences of the retrieved chunks that share the most (rare) terms with the question and
// cites the chunk each came from. The OpenAI provider gets a grounded prompt built here.

import { sentences, terms } from "./text.ts";

export interface Source {
  url: string;
  title: string;
  section: string;
  chunk: string;
  score: number;
}

export interface FewShot {
  question: string;
  answer: string;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export const NO_ANSWER = "I could not find this in the indexed documentation.";

/**
 * Extractive answer: up to `maxSentences` sentences, best first, each cited as [n] with n the
 * 1-based index of its source. Sentences sharing no content term with the question are never used.
 */
export function extractiveAnswer(question: string, sources: Source[], maxSentences = 3): string {
  const q = new Set(terms(question));
  if (q.size === 0 || sources.length === 0) return NO_ANSWER;
  const scored: { text: string; source: number; score: number; order: number }[] = [];
  sources.forEach((source, s) => {
    sentences(source.chunk).forEach((sentence, order) => {
      const ts = new Set(terms(sentence));
      let hits = 0;
      for (const t of q) if (ts.has(t)) hits++;
      if (hits === 0) return;
      // Favour sentences covering more of the question, from better-ranked sources, not too long.
      const score = hits / q.size + 0.15 / (1 + s) - Math.max(0, sentence.length - 300) / 3000;
      scored.push({ text: sentence, source: s, score, order });
    });
  });
  if (!scored.length) return NO_ANSWER;
  scored.sort((a, b) => b.score - a.score);
  const picked: typeof scored = [];
  const seen = new Set<string>();
  for (const s of scored) {
    if (picked.length >= maxSentences) break;
    if (seen.has(s.text)) continue;
    seen.add(s.text);
    picked.push(s);
  }
  // Read in document order within a source, sources in rank order.
  picked.sort((a, b) => a.source - b.source || a.order - b.order);
  return picked.map((p) => `${p.text.replace(/\s+/g, " ")} [${p.source + 1}]`).join(" ");
}

export const SYSTEM_PROMPT =
  "You answer questions about Motion, a TypeScript framework, using only the numbered documentation excerpts " +
  "in the user's message. Cite the excerpts you use as [1], [2]. If the excerpts do not contain the answer, " +
  "say that the documentation does not cover it. Be concise.";

export function contextBlock(sources: Source[]): string {
  return sources.map((s, i) => `[${i + 1}] ${s.title} — ${s.section} (${s.url})\n${s.chunk}`).join("\n\n");
}

/** System prompt, few-shot pairs learned from feedback, then the excerpts and the question. */
export function chatMessages(question: string, sources: Source[], fewShot: FewShot[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: "system", content: SYSTEM_PROMPT }];
  for (const ex of fewShot) {
    messages.push({ role: "user", content: `Question: ${ex.question}` });
    messages.push({ role: "assistant", content: ex.answer });
  }
  messages.push({ role: "user", content: `Documentation excerpts:\n\n${contextBlock(sources)}\n\nQuestion: ${question}` });
  return messages;
}
