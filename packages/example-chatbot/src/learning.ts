// What the feedback fit learns from operators' labels:
//  - labeled questions (which documents were right or wrong) → the reranker's training set;
//  - corrected answers → a store consulted for near-duplicate questions;
//  - approved and corrected answers → few-shot examples (and fine-tuning data, with OpenAI).

import type { FewShot } from "./answerer.ts";
import { cosine, lexicalEmbed } from "./embeddings.ts";
import { FEATURES, isRelated, retrieve, type IndexView, type Query } from "./retriever.ts";
import { score, train, type Example, type TrainResult } from "./reranker.ts";

export interface LabeledQuestion {
  inferenceId: string;
  question: string;
  /** Documents that answer the question. */
  positive: string[];
  /** Documents that were cited and judged wrong. */
  negative: string[];
}

export interface CorrectedAnswer {
  inferenceId: string;
  question: string;
  /** The operator's answer, if they wrote one. */
  answer: string | null;
  /** The documents the operator said to cite. */
  urls: string[];
}

export interface LearnedExample extends FewShot {
  inferenceId: string;
}

export interface ParsedCorrection {
  answer: string | null;
  urls: string[];
}

/** A correction is a string (the right answer) or `{ answer?, url?, sources? }`. */
export function parseCorrection(correction: unknown): ParsedCorrection | null {
  if (correction === undefined || correction === null) return null;
  if (typeof correction === "string") return correction.trim() ? { answer: correction.trim(), urls: [] } : null;
  if (typeof correction !== "object") return null;
  const c = correction as { answer?: unknown; url?: unknown; sources?: unknown };
  const urls = [
    ...(typeof c.url === "string" ? [c.url] : []),
    ...(Array.isArray(c.sources) ? c.sources.map((s) => (typeof s === "string" ? s : (s as { url?: unknown })?.url)).filter((u): u is string => typeof u === "string") : []),
  ];
  const answer = typeof c.answer === "string" && c.answer.trim() ? c.answer.trim() : null;
  return answer || urls.length ? { answer, urls: [...new Set(urls)] } : null;
}

export interface FeedbackEvent {
  inferenceId: string;
  label: "good" | "bad";
  question: string;
  answer: string | null;
  citedUrls: string[];
  correction: ParsedCorrection | null;
}

export interface Learned {
  labels: LabeledQuestion[];
  corrections: CorrectedAnswer[];
  examples: LearnedExample[];
}

/** Folds new feedback into what was learned before; a relabeled inference replaces its old label. */
export function learn(previous: Learned, events: FeedbackEvent[]): Learned {
  const labels = new Map(previous.labels.map((l) => [l.inferenceId, l]));
  const corrections = new Map(previous.corrections.map((c) => [c.inferenceId, c]));
  const examples = new Map(previous.examples.map((e) => [e.inferenceId, e]));
  for (const e of events) {
    labels.delete(e.inferenceId);
    corrections.delete(e.inferenceId);
    examples.delete(e.inferenceId);
    if (e.label === "good") {
      if (e.citedUrls[0]) labels.set(e.inferenceId, { inferenceId: e.inferenceId, question: e.question, positive: [e.citedUrls[0]], negative: [] });
      if (e.answer) examples.set(e.inferenceId, { inferenceId: e.inferenceId, question: e.question, answer: e.answer });
      continue;
    }
    const urls = e.correction?.urls ?? [];
    labels.set(e.inferenceId, {
      inferenceId: e.inferenceId,
      question: e.question,
      positive: urls,
      negative: urls.length ? e.citedUrls.filter((u) => !urls.includes(u)) : e.citedUrls,
    });
    if (e.correction) {
      corrections.set(e.inferenceId, { inferenceId: e.inferenceId, question: e.question, answer: e.correction.answer, urls });
      if (e.correction.answer) examples.set(e.inferenceId, { inferenceId: e.inferenceId, question: e.question, answer: e.correction.answer });
    }
  }
  return { labels: [...labels.values()], corrections: [...corrections.values()], examples: [...examples.values()] };
}

/** Lexical vectors of labeled questions, computed once per labels array (per state version). */
const labelVectors = new WeakMap<object, Float32Array[]>();

function vectorsOf(labels: readonly LabeledQuestion[], dims: number): Float32Array[] {
  let vectors = labelVectors.get(labels);
  if (!vectors || vectors[0]?.length !== dims) {
    vectors = labels.map((l) => lexicalEmbed(l.question, dims));
    labelVectors.set(labels, vectors);
  }
  return vectors;
}

/**
 * A nearest-neighbour vote over labeled questions: for each page, the share of similarity
 * (squared lexical cosine) that labeled questions pointing at that page have with `question`.
 * `exclude` leaves one labeled question out, so training never sees its own label.
 */
export function labelVotes(question: string, labels: readonly LabeledQuestion[], dims: number, exclude?: string): Map<string, number> {
  const votes = new Map<string, number>();
  if (!labels.length) return votes;
  const q = lexicalEmbed(question, dims);
  const vectors = vectorsOf(labels, dims);
  let total = 0;
  labels.forEach((label, i) => {
    if (label.inferenceId === exclude || !label.positive.length) return;
    const s = cosine(q, vectors[i]!);
    if (s <= 0) return;
    const w = (s * s) / label.positive.length;
    for (const url of label.positive) votes.set(url, (votes.get(url) ?? 0) + w);
    total += s * s;
  });
  if (total > 0) for (const [url, v] of votes) votes.set(url, v / total);
  return votes;
}

/**
 * Pairwise training examples for the reranker (a RankNet-style logistic regression): for each
 * labeled question, the best-ranked candidate chunk of each page the operator pointed to should
 * outrank every candidate from other pages (or from pages judged wrong). Each example is the
 * difference of two feature vectors, in both orders; each question weighs the same in total.
 * The labelVote feature is computed leaving the question's own label out.
 */
export function rerankerExamples(index: IndexView, labels: LabeledQuestion[], embed: (q: string) => Query, candidates: number): { examples: Example[]; questions: number } {
  const out: Example[] = [];
  let questions = 0;
  for (const label of labels) {
    const votes = labelVotes(label.question, labels, index.dims, label.inferenceId);
    const found = retrieve(index, embed(label.question), candidates, votes).filter(isRelated);
    const pos: number[][] = [];
    const neg: number[][] = [];
    const seenPages = new Set<string>();
    for (const c of found) {
      if (label.positive.includes(c.chunk.url)) {
        if (!seenPages.has(c.chunk.url)) pos.push(c.features);
        seenPages.add(c.chunk.url);
      } else if (label.positive.length || label.negative.includes(c.chunk.url)) {
        neg.push(c.features);
      }
    }
    if (!pos.length || !neg.length) continue;
    questions++;
    const weight = 1 / (2 * pos.length * neg.length);
    for (const p of pos) {
      for (const n of neg) {
        const d = p.map((v, j) => v - n[j]!);
        out.push({ x: d, y: 1, weight });
        out.push({ x: d.map((v) => -v), y: 0, weight });
      }
    }
  }
  return { examples: out, questions };
}

export interface RerankerFit {
  result: TrainResult;
  examples: number;
  questions: number;
}

/**
 * The un-learned ranking as raw-feature coefficients: the retrieval score (lexical, or the
 * dense/lexical blend), scaled so a 0.1 score difference is one unit of log-odds. The reranker
 * is regularised towards it.
 */
export function basePrior(hybrid: boolean, strength = 10): number[] {
  return FEATURES.map((name) => {
    if (!hybrid) return name === "lexical" ? strength : 0;
    return name === "denseRel" ? 0.7 * strength : name === "lexicalRel" ? 0.3 * strength : 0;
  });
}

export function fitReranker(examples: Example[], questions: number, options: { epochs: number; l2: number; hybrid: boolean }): RerankerFit | null {
  if (!examples.length || examples[0]!.x.length !== FEATURES.length) return null;
  const result = train(examples, { epochs: options.epochs, learningRate: 0.5, l2: options.l2, prior: basePrior(options.hybrid) });
  return { result, examples: examples.length, questions };
}

/**
 * hit@k of labeled questions with a known right page, without or with a reranker (then with
 * each question's own label left out of the vote, so the number is not flattered).
 */
export function hitAtK(index: IndexView, labels: LabeledQuestion[], embed: (q: string) => Query, candidates: number, k: number, packed: ArrayLike<number> | null): number {
  const judged = labels.filter((l) => l.positive.length);
  if (!judged.length) return 0;
  let hits = 0;
  for (const label of judged) {
    const votes = packed ? labelVotes(label.question, labels, index.dims, label.inferenceId) : undefined;
    const found = retrieve(index, embed(label.question), candidates, votes).filter(isRelated);
    const ranked = packed ? [...found].sort((a, b) => score(packed, b.features) - score(packed, a.features)) : found;
    if (ranked.slice(0, k).some((c) => label.positive.includes(c.chunk.url))) hits++;
  }
  return hits / judged.length;
}
