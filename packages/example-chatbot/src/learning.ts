// What the feedback fit learns from operators' labels:
//  - labeled questions (the right page, pages cited wrongly) → query-term associations
//    (label-votes.ts) and the reranker's training set;
//  - corrected answers → a store consulted for near-duplicate questions;
//  - approved and corrected answers → few-shot examples (and fine-tuning data, with OpenAI).
// A correction's `source` is the right page; the pages the wrong answer cited are negatives.
// The original output's sources are never taken as right unless the operator approved them.

import type { FewShot } from "./answerer.ts";
import type { ParsedCorrection } from "./correction.ts";
import type { LabeledQuestion, LabelModel } from "./label-votes.ts";
import { score, train as trainReranker, type Example, type TrainResult } from "./reranker.ts";
import {
  DEFAULT_SUPPORT, FEATURES, pagesOf, reblend, retrieve,
  type FeatureName, type PageCandidate, type PageSupport, type Query, type RetrieveOptions,
} from "./retriever.ts";
import type { IndexView } from "./search-index.ts";

export type { LabeledQuestion } from "./label-votes.ts";

export interface CorrectedAnswer {
  inferenceId: string;
  question: string;
  /** The operator's answer, if they wrote one. */
  answer: string | null;
  /** The page the operator said to cite, if they picked one. */
  source: string | null;
}

export interface LearnedExample extends FewShot {
  inferenceId: string;
}

export interface FeedbackEvent {
  inferenceId: string;
  label: "good" | "bad";
  question: string;
  answer: string | null;
  /** The pages the answer cited, first source first. */
  citedUrls: string[];
  correction: ParsedCorrection | null;
}

export interface Learned {
  labels: LabeledQuestion[];
  corrections: CorrectedAnswer[];
  examples: LearnedExample[];
}

/**
 * Folds new feedback into what was learned before; a relabeled inference replaces its old label.
 * `known` says whether a url is an indexed page (a source that is not is ignored and counted).
 */
export function learn(previous: Learned, events: FeedbackEvent[], known: (url: string) => boolean): { learned: Learned; unknownSources: number } {
  const labels = new Map(previous.labels.map((l) => [l.inferenceId, l]));
  const corrections = new Map(previous.corrections.map((c) => [c.inferenceId, c]));
  const examples = new Map(previous.examples.map((e) => [e.inferenceId, e]));
  let unknownSources = 0;
  for (const e of events) {
    labels.delete(e.inferenceId);
    corrections.delete(e.inferenceId);
    examples.delete(e.inferenceId);
    const base = { inferenceId: e.inferenceId, question: e.question };
    if (e.label === "good") {
      if (e.citedUrls[0]) labels.set(e.inferenceId, { ...base, positive: [e.citedUrls[0]], negative: [] });
      if (e.answer) examples.set(e.inferenceId, { ...base, answer: e.answer });
      continue;
    }
    let source = e.correction?.source ?? null;
    if (source && !known(source)) {
      unknownSources++;
      source = null;
    }
    if (source) {
      labels.set(e.inferenceId, { ...base, positive: [source], negative: e.citedUrls.filter((u) => u !== source) });
    } else if (!e.correction?.answer && e.citedUrls[0]) {
      // Bad with nothing else said: the page it leaned on was wrong.
      labels.set(e.inferenceId, { ...base, positive: [], negative: [e.citedUrls[0]] });
    }
    if (e.correction && (e.correction.answer || source)) {
      corrections.set(e.inferenceId, { ...base, answer: e.correction.answer, source });
      if (e.correction.answer) examples.set(e.inferenceId, { ...base, answer: e.correction.answer });
    }
  }
  return { learned: { labels: [...labels.values()], corrections: [...corrections.values()], examples: [...examples.values()] }, unknownSources };
}

export interface LabelContext {
  view: IndexView;
  model: LabelModel;
  query: (question: string) => Query;
  options: RetrieveOptions;
  /** How pages add up their chunks (the shipped default unless a fusion was chosen). */
  support?: PageSupport;
}

/**
 * How BM25 and vectors are blended and chunks add up to pages — learned from labels, for every
 * question (it names no page, so it carries over to questions nobody labeled). `vectorScale`
 * multiplies the configured vector weight (`vectorWeight` offline, `denseWeight` with OpenAI).
 */
export interface Fusion {
  vectorScale: number;
  support: PageSupport;
}

export const DEFAULT_FUSION: Fusion = { vectorScale: 1, support: DEFAULT_SUPPORT };

/** The fusion settings the feedback fit tries (the default among them). */
export const FUSION_GRID: Fusion[] = [0.5, 1, 2, 4].flatMap((vectorScale) =>
  [0, 0.15, 0.3, 0.5].flatMap((weight) => [1, 2, null].map((chunks) => ({ vectorScale, support: { weight, chunks } }))),
);

export function sameFusion(a: Fusion, b: Fusion): boolean {
  return a.vectorScale === b.vectorScale && a.support.weight === b.support.weight && a.support.chunks === b.support.chunks;
}

export interface FusionChoice {
  fusion: Fusion;
  /** Labeled questions with a right page (all of them count; a right page never retrieved is a miss). */
  questions: number;
  hitAt1: { default: number; chosen: number };
}

/**
 * The fusion that ranks the labeled questions best (hit@1, then MRR), without label votes — so
 * no label helps its own question. The default is kept unless another is strictly better, and
 * nothing is chosen below `minQuestions` labeled questions.
 */
export function chooseFusion(ctx: LabelContext, labels: readonly LabeledQuestion[], minQuestions: number): FusionChoice {
  const positives = labels.filter((l) => l.positive.length);
  const wide = positives.map((l) => retrieve(ctx.view, ctx.query(l.question), { ...ctx.options, candidates: 10 * ctx.options.candidates }));
  const measure = (f: Fusion) => {
    let h1 = 0;
    let rr = 0;
    positives.forEach((l, i) => {
      const pages = pagesOf(ctx.view, l.question, reblend(wide[i]!, ctx.options.vectorWeight * f.vectorScale, ctx.options.candidates), undefined, 0, f.support);
      const at = pages.findIndex((p) => l.positive.includes(p.url));
      if (at === 0) h1++;
      if (at >= 0) rr += 1 / (at + 1);
    });
    const n = positives.length || 1;
    return { h1: h1 / n, mrr: rr / n };
  };
  const base = measure(DEFAULT_FUSION);
  const choice: FusionChoice = { fusion: DEFAULT_FUSION, questions: positives.length, hitAt1: { default: base.h1, chosen: base.h1 } };
  if (positives.length < minQuestions) return choice;
  let best = base;
  for (const f of FUSION_GRID) {
    if (sameFusion(f, DEFAULT_FUSION)) continue;
    const m = measure(f);
    if (m.h1 > best.h1 || (m.h1 === best.h1 && m.mrr > best.mrr + 1e-9)) {
      best = m;
      choice.fusion = f;
    }
  }
  choice.hitAt1.chosen = best.h1;
  return choice;
}

/** A labeled question with a right page among its candidate pages. */
interface Usable {
  label: LabeledQuestion;
  pages: PageCandidate[];
}

/** Labeled questions whose right page is a candidate, with their own label left out of the votes. */
function usableLabels(ctx: LabelContext, labels: readonly LabeledQuestion[]): Usable[] {
  const out: Usable[] = [];
  for (const label of labels) {
    if (!label.positive.length) continue;
    const candidates = retrieve(ctx.view, ctx.query(label.question), ctx.options);
    const pages = pagesOf(ctx.view, label.question, candidates, ctx.model.votes(label.question, label), 1, ctx.support);
    if (pages.some((p) => label.positive.includes(p.url)) && pages.some((p) => !label.positive.includes(p.url))) out.push({ label, pages });
  }
  return out;
}

/**
 * Pairwise training examples (a RankNet-style logistic regression) over pages: for each labeled
 * question, the right page should outrank every other candidate page. Each example is the
 * difference of two feature vectors, in both orders; each question weighs the same in total.
 */
function examplesOf(usable: readonly Usable[]): Example[] {
  const out: Example[] = [];
  for (const { label, pages } of usable) {
    const pos = pages.filter((p) => label.positive.includes(p.url));
    const neg = pages.filter((p) => !label.positive.includes(p.url));
    const weight = 1 / (2 * pos.length * neg.length);
    for (const p of pos) {
      for (const n of neg) {
        const d = p.features.map((v, j) => v - n.features[j]!);
        out.push({ x: d, y: 1, weight });
        out.push({ x: d.map((v) => -v), y: 0, weight });
      }
    }
  }
  return out;
}

const F = Object.fromEntries(FEATURES.map((name, i) => [name, i])) as Record<FeatureName, number>;

/** A ranking function over page features: the un-learned score with a vote weight, or a reranker. */
export interface Ranker {
  voteWeight: number;
  reranker: ArrayLike<number> | null;
}

function scoreOf(ranker: Ranker, page: PageCandidate): number {
  if (ranker.reranker) return score(ranker.reranker, page.features);
  return page.features[F.retrieval]! + ranker.voteWeight * (page.features[F.labelFor]! - page.features[F.labelAgainst]!);
}

/** Pages best first under a ranker. */
export function rankPages(pages: PageCandidate[], ranker: Ranker): PageCandidate[] {
  return pages
    .map((page) => ({ page, s: scoreOf(ranker, page) }))
    .sort((a, b) => b.s - a.s || a.page.chunks[0]!.row - b.page.chunks[0]!.row)
    .map((x) => x.page);
}

function hitAt1(usable: readonly Usable[], ranker: Ranker): number {
  if (!usable.length) return 0;
  return usable.filter(({ label, pages }) => label.positive.includes(rankPages(pages, ranker)[0]!.url)).length / usable.length;
}

/** Vote weights tried by the feedback fit; 0 means labels do not move other questions' pages. */
export const VOTE_WEIGHTS = [0, 0.25, 0.5, 1, 2, 4];

/**
 * The un-learned page score as raw-feature coefficients (retrieval + voteWeight · votes), scaled
 * so a 0.1 difference is one unit of log-odds. The reranker starts from it and is regularised
 * towards it, so a handful of labels nudges the ranking instead of replacing it.
 */
export function unlearnedWeights(voteWeight: number, strength = 10): number[] {
  const w: Partial<Record<FeatureName, number>> = { retrieval: 1, labelFor: voteWeight, labelAgainst: -voteWeight };
  return FEATURES.map((name) => (w[name] ?? 0) * strength);
}

export interface RankerChoice {
  ranker: Ranker;
  /** The trained reranker, used or not. */
  fit: TrainResult | null;
  /** Labeled questions with a right page among their candidates. */
  questions: number;
  examples: number;
  /** Labeled hit@1 without labels, with the chosen vote weight, and of the reranker (cross-validated). */
  hitAt1: { unlabeled: number; votes: number; reranker: number | null };
}

/**
 * What the labels teach the ranking, chosen on the labeled questions themselves (each scored
 * with votes from the other questions' labels only):
 * 1. the vote weight: how much query-term → page associations move pages (0 if they do not help);
 * 2. a reranker over all features, trained from that starting point, kept only if it ranks the
 *    labeled questions better in k-fold cross-validation (scored by models that did not see them).
 */
export function chooseRanker(ctx: LabelContext, labels: readonly LabeledQuestion[], options: { epochs: number; l2: number; minQuestions: number; folds?: number }): RankerChoice {
  const usable = usableLabels(ctx, labels);
  let voteWeight = 0;
  let votes = hitAt1(usable, { voteWeight: 0, reranker: null });
  const unlabeled = votes;
  for (const w of VOTE_WEIGHTS) {
    const h = hitAt1(usable, { voteWeight: w, reranker: null });
    if (h > votes) {
      votes = h;
      voteWeight = w;
    }
  }
  const choice: RankerChoice = { ranker: { voteWeight, reranker: null }, fit: null, questions: usable.length, examples: 0, hitAt1: { unlabeled, votes, reranker: null } };
  if (usable.length < options.minQuestions) return choice;
  const prior = unlearnedWeights(voteWeight);
  const train = (set: readonly Usable[]) => trainReranker(examplesOf(set), { epochs: options.epochs, learningRate: 0.5, l2: options.l2, prior });
  const folds = Math.min(options.folds ?? 5, usable.length);
  let hits = 0;
  for (let f = 0; f < folds; f++) {
    const test = usable.filter((_, i) => i % folds === f);
    hits += hitAt1(test, { voteWeight, reranker: train(usable.filter((_, i) => i % folds !== f)).model.packed }) * test.length;
  }
  choice.hitAt1.reranker = hits / usable.length;
  choice.fit = train(usable);
  choice.examples = examplesOf(usable).length;
  if (choice.hitAt1.reranker > votes) choice.ranker = { voteWeight, reranker: choice.fit.model.packed };
  return choice;
}
