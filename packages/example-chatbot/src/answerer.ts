// Turning retrieved chunks into an answer. The local provider answers extractively: it scores
// the sentences (and list items, table rows) of the first sources against the question, keeps
// the best one — the evidence — with its neighbours when they continue it, adds a code block
// that illustrates it (whole, fenced as code), and cites each part as [n]. The OpenAI provider
// gets a grounded prompt built here.

import { terms } from "./text.ts";
import { splitSentences } from "./text.ts";

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

export const NO_ANSWER = "I could not find this in the indexed documents.";

type Segment = { kind: "text"; text: string; para: number } | { kind: "code"; text: string; para: number };

/** A chunk's markdown back into paragraphs and whole code blocks (fences as chunker.ts writes them). */
export function segments(chunk: string): Segment[] {
  const out: Segment[] = [];
  const lines = chunk.split("\n");
  let para = 0;
  let buffer: string[] = [];
  const flush = () => {
    if (buffer.length) out.push({ kind: "text", text: buffer.join("\n"), para: para++ });
    buffer = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})/.exec(lines[i]!);
    if (open) {
      const close = lines.findIndex((l, j) => j > i && l === open[1]);
      if (close > i) {
        flush();
        out.push({ kind: "code", text: lines.slice(i, close + 1).join("\n"), para: para++ });
        i = close;
        continue;
      }
    }
    if (lines[i]!.trim() === "") flush();
    else buffer.push(lines[i]!);
  }
  flush();
  return out;
}

interface Unit {
  source: number;
  seg: number;
  /** Position within the chunk, for reading order. */
  order: number;
  text: string;
  score: number;
}

export interface AnswerOptions {
  /** How much a question term weighs (rarer terms more); 1 for every term by default. */
  weight?: (term: string) => number;
  maxSentences?: number;
  /** Chunks of the first source's page that may be quoted (the rest are only cited). */
  maxSources?: number;
  /** Code blocks longer than this are not quoted (they are never cut). */
  maxCode?: number;
}

export function extractiveAnswer(question: string, sources: Source[], options: AnswerOptions = {}): string {
  const weight = options.weight ?? (() => 1);
  const q = [...new Set(terms(question))];
  if (!q.length || !sources.length) return NO_ANSWER;
  const qWeight = new Map(q.map((t) => [t, weight(t)]));
  const total = [...qWeight.values()].reduce((a, b) => a + b, 0) || 1;
  const coverage = (text: string) => {
    const ts = new Set(terms(text));
    let s = 0;
    for (const [t, w] of qWeight) if (ts.has(t)) s += w;
    return s / total;
  };
  const segs = sources.map((s) => segments(s.chunk));
  const units: Unit[] = [];
  // Quote the first source's page only (its other chunks included): a reader wants one
  // coherent answer; the other pages stay cited as sources to look at.
  const quotable = sources.map((_, i) => i).filter((i) => sources[i]!.url === sources[0]!.url).slice(0, options.maxSources ?? 3);
  for (const s of quotable) {
    let order = 0;
    segs[s]!.forEach((seg, i) => {
      if (seg.kind === "code") return;
      // List items and table rows are units; paragraphs are cut into sentences.
      const parts = seg.text.split("\n").flatMap((line) => (/^- |\|/.test(line) ? [line] : splitSentences(line)));
      for (const text of parts) {
        const c = coverage(text);
        // Coverage of the question, from better sources first, not too long.
        const score = c + 0.08 / (1 + s) - Math.max(0, text.length - 400) / 4000;
        units.push({ source: s, seg: i, order: order++, text, score: c > 0 ? score : 0 });
      }
    });
  }
  const ranked = units.filter((u) => u.score > 0).sort((a, b) => b.score - a.score || a.source - b.source || a.order - b.order);
  if (!ranked.length) return NO_ANSWER;
  const best = ranked[0]!;
  const picked = new Set<Unit>([best]);
  // The sentence after the evidence, when it continues the same paragraph.
  const next = units.find((u) => u.source === best.source && u.seg === best.seg && u.order === best.order + 1);
  if (next && next.text.length < 300) picked.add(next);
  for (const u of ranked.slice(1)) {
    if (picked.size >= (options.maxSentences ?? 3)) break;
    if (u.score >= best.score * 0.75 && ![...picked].some((p) => p.text === u.text)) picked.add(u);
  }
  // A code block right after the evidence's paragraph (or the best-matching one in its chunk).
  const code = pickCode(segs[best.source]!, best.seg, coverage, options.maxCode ?? 1500);

  const ordered = [...picked].sort((a, b) => a.source - b.source || a.order - b.order);
  const parts: string[] = [];
  for (let i = 0; i < ordered.length; i++) {
    const u = ordered[i]!;
    const text = u.text.replace(/^- /, "");
    const last = parts.length ? parts.at(-1)! : null;
    const sameSource = i > 0 && ordered[i - 1]!.source === u.source;
    if (last !== null && sameSource) parts[parts.length - 1] = `${last.replace(/ \[\d+\]$/, "")} ${text} [${u.source + 1}]`;
    else parts.push(`${text} [${u.source + 1}]`);
    if (u === best && code) parts.push(code);
  }
  return parts.join("\n\n");
}

function pickCode(segs: Segment[], at: number, coverage: (text: string) => number, maxCode: number): string | null {
  const fits = (s: Segment | undefined): s is Segment => !!s && s.kind === "code" && s.text.length <= maxCode;
  const after = segs[at + 1];
  if (fits(after)) return after.text;
  let best: Segment | null = null;
  let bestScore = 0;
  for (const s of segs) {
    if (!fits(s)) continue;
    const c = coverage(s.text);
    if (c > bestScore) {
      best = s;
      bestScore = c;
    }
  }
  return bestScore >= 0.3 ? best!.text : null;
}

export const SYSTEM_PROMPT =
  "You answer questions using only the numbered documentation excerpts in the user's message. Cite the excerpts " +
  "you use as [1], [2]. Quote code from the excerpts in fenced code blocks. If the excerpts do not contain the " +
  "answer, say that the documentation does not cover it. Be concise.";

export function contextBlock(sources: Source[]): string {
  return sources.map((s, i) => `[${i + 1}] ${s.section} (${s.url})\n${s.chunk}`).join("\n\n");
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
