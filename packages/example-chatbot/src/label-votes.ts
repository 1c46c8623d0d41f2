// What labels teach retrieval about questions nobody labeled: query-term → page associations.
// Every labeled question with a right page says "these terms point at that page"; every page
// cited and judged wrong says "these terms do not point at it". For a new question, a page's
// vote is the average over the question's terms of P(page | term) among labeled questions,
// each term weighted by how specific it is among the labels (idf), unknown terms included in
// the average — so a question that shares only common words with the labels gets a small
// vote, and one whose rare terms ("cron", "sentinel") were labeled gets a large one.

import type { LabelVotes } from "./retriever.ts";
import { terms } from "./text.ts";

export interface LabeledQuestion {
  inferenceId: string;
  question: string;
  /** Pages that answer the question (the corrected source, or an approved first source). */
  positive: string[];
  /** Pages that were cited and judged wrong. */
  negative: string[];
}

interface TermStats {
  /** Labels whose question has the term. */
  df: number;
  for: Map<string, number>;
  against: Map<string, number>;
}

export class LabelModel {
  private readonly stats = new Map<string, TermStats>();
  private readonly termsOf = new Map<string, string[]>();
  readonly size: number;

  constructor(readonly labels: readonly LabeledQuestion[]) {
    this.size = labels.length;
    for (const label of labels) {
      const ts = [...new Set(terms(label.question))];
      this.termsOf.set(label.inferenceId, ts);
      for (const t of ts) {
        let s = this.stats.get(t);
        if (!s) this.stats.set(t, (s = { df: 0, for: new Map(), against: new Map() }));
        s.df++;
        for (const url of label.positive) s.for.set(url, (s.for.get(url) ?? 0) + 1 / label.positive.length);
        for (const url of label.negative) s.against.set(url, (s.against.get(url) ?? 0) + 1);
      }
    }
  }

  /**
   * Votes for and against each page. `exclude` leaves one labeled question out (its own label
   * must not vote while the reranker learns how much votes are worth).
   */
  votes(question: string, exclude?: LabeledQuestion): LabelVotes {
    const out = { for: new Map<string, number>(), against: new Map<string, number>() };
    const size = this.size - (exclude ? 1 : 0);
    if (size <= 0) return out;
    const own = new Set(exclude ? this.termsOf.get(exclude.inferenceId) ?? [] : []);
    const qs = [...new Set(terms(question))];
    let total = 0;
    for (const t of qs) {
      const s = this.stats.get(t);
      const df = (s?.df ?? 0) - (own.has(t) ? 1 : 0);
      const weight = Math.log(1 + size / Math.max(df, 0.5));
      total += weight;
      if (!s || df <= 0) continue;
      const add = (into: Map<string, number>, counts: Map<string, number>, mine: readonly string[], share: number) => {
        for (const [url, n] of counts) {
          const c = n - (own.has(t) && mine.includes(url) ? share : 0);
          if (c > 0) into.set(url, (into.get(url) ?? 0) + (weight * c) / df);
        }
      };
      add(out.for, s.for, exclude?.positive ?? [], exclude ? 1 / Math.max(1, exclude.positive.length) : 0);
      add(out.against, s.against, exclude?.negative ?? [], 1);
    }
    if (total > 0) {
      for (const m of [out.for, out.against]) for (const [url, v] of m) m.set(url, v / total);
    }
    return out;
  }
}

const models = new WeakMap<object, LabelModel>();

/** One model per labels array (per state version). */
export function labelModel(labels: readonly LabeledQuestion[]): LabelModel {
  let m = models.get(labels);
  if (!m) models.set(labels, (m = new LabelModel(labels)));
  return m;
}
