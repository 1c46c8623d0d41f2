// The docs Q&A chatbot from the Motion talk, written with the public engine API only.
//
//   documents (key: url) ──fit──▶ chunk on the markdown structure, update the BM25 index and
//                                 the vectors (state), replacing a re-added page's chunks
//   questions            ──infer─▶ hybrid retrieval (BM25 + vectors), label votes, reranker,
//                                 answer from the best sources, cite them
//   feedback             ──fit──▶ labeled questions (right page, wrong pages), reranker
//                                 weights, corrected answers, few-shot examples, optionally
//                                 an OpenAI fine-tuning job
//
// Every fit commits a new immutable state version; infer always reads the active one.

import { z } from "zod";
import { chatbotTrainingExample } from "./training-example.ts";
import { labelMetrics } from "./label-metrics.ts";
import { defineApp, feedback, trigger, type FeedbackRow, type State, type StatePatch } from "@motion/engine";
import type { Source } from "./answerer.ts";
import { chatbotCorrection, readCorrection } from "./correction.ts";
import { hashedEmbed, HASHED_EMBEDDER, weightQuery } from "./embeddings.ts";
import { pollFineTune, stepFineTune, type FineTuneState } from "./fine-tune.ts";
import { labelModel, LabelModel, type LabeledQuestion } from "./label-votes.ts";
import {
  chooseFusion, chooseRanker, DEFAULT_FUSION, FUSION_GRID, learn, rankPages, sameFusion,
  type CorrectedAnswer, type Fusion, type FeedbackEvent, type LabelContext, type LearnedExample, type Ranker,
} from "./learning.ts";
import { providerFromEnv, type Provider } from "./providers/index.ts";
import { documents, questions, usage } from "./relations.ts";
import { FEATURES, pagesOf, retrieve, sourcesOf, type Candidate, type PageCandidate, type Query, type RetrieveOptions } from "./retriever.ts";
import { emptyIndexState, hashedEmbedder, indexView, storeLexicalIndex, updateIndex, type Embedder, type IndexInfo, type IndexView } from "./search-index.ts";
import { isStopWord, stem, termCosine, words } from "./text.ts";

export { documents, questions, usage } from "./relations.ts";

export const TRIGGER = "docs-qa";

/** Chosen once from the environment (see providers/index.ts); fit worker threads choose the same. */
export const provider: Provider = providerFromEnv();

/** How often a running fine-tuning job is polled (croner syntax; MOTION_CHATBOT_FINE_TUNE_POLL, default every 5 minutes). */
export const FINE_TUNE_POLL_CRON = process.env.MOTION_CHATBOT_FINE_TUNE_POLL || "*/5 * * * *";

export const chatbotParams = z.object({
  /** Sources returned (and given to the answerer). */
  k: z.number().int().min(1).max(20).default(4),
  /** Candidate chunks scored (and reranked) before the sources are picked. */
  candidates: z.number().int().min(1).max(200).default(30),
  /** Upper bound of a chunk, in characters (a code block longer than this is a chunk alone). */
  chunkSize: z.number().int().min(200).max(8000).default(900),
  /** Width of the offline hashed trigram vectors. */
  embeddingDims: z.number().int().min(64).max(16384).default(1024),
  /** Weight of the offline vectors' (normalised) cosine next to the (normalised) BM25 score. */
  vectorWeight: z.number().min(0).max(10).default(0.3),
  /** The same for OpenAI embeddings, which carry meaning BM25 misses. */
  denseWeight: z.number().min(0).max(10).default(1),
  /** A chunk with no BM25 match is a candidate only above this cosine (offline vectors). */
  minSimilarity: z.number().min(0).max(1).default(0.3),
  chatModel: z.string().default("gpt-4o-mini"),
  embeddingModel: z.string().default("text-embedding-3-small"),
  temperature: z.number().min(0).max(2).default(0.2),
  /** Stream chat completions (the answer is the same; the SDK reads SSE). */
  stream: z.boolean().default(true),
  /** Few-shot examples (from approved/corrected answers) added to the OpenAI prompt. */
  fewShot: z.number().int().min(0).max(10).default(3),
  /** Term cosine above which a question reuses an operator's corrected answer. */
  duplicateThreshold: z.number().min(0).max(1).default(0.9),
  /** The reranker is trained once this many labeled questions have a right page among their candidates. */
  minLabeledQuestions: z.number().int().min(1).default(8),
  rerankerEpochs: z.number().int().min(1).max(10_000).default(300),
  rerankerL2: z.number().min(0).max(10).default(0.02),
  fineTune: z.boolean().default(false),
  fineTuneBaseModel: z.string().default("gpt-4o-mini-2024-07-18"),
  fineTuneMinExamples: z.number().int().min(1).default(10),
});

export type ChatbotParams = z.output<typeof chatbotParams>;

/** State `ranking`: what the last feedback fit chose (see learning.ts chooseRanker). */
export interface RankingInfo {
  voteWeight: number;
  /** Whether the reranker in state `reranker` is used (it beat the un-learned score in cross-validation). */
  reranker: boolean;
  features: string[];
  questions: number;
  examples: number;
  labeledHitAt1: { unlabeled: number; votes: number; reranker: number | null };
  /** How BM25 and vectors are blended and chunks add up to pages, chosen on the labeled questions. */
  fusion: Fusion;
  /** Labeled hit@1 (without votes) under the default fusion and under the chosen one. */
  fusionHitAt1: { default: number; chosen: number };
}

/** What infer returns for a question (stored as the inference output). */
export interface AnswerOutput {
  answer: string;
  /** Cited chunks: the best chunk of each of the best pages first, then further chunks. */
  sources: Source[];
  provider: "local" | "openai";
  model: string;
  /** Whether a learned reranker ordered the sources (label votes count either way). */
  reranked: boolean;
  /** The inference whose operator correction answered this near-duplicate question. */
  correctedFrom: string | null;
  fewShot: number;
  /** "hybrid" when vectors were blended with BM25, "lexical" when only BM25 ranked. */
  retrieval: "lexical" | "hybrid";
  /** The size of the index that answered. */
  index: { documents: number; chunks: number };
}

// ------------------------------------------------------------------ retrieval helpers

function embedderFor(params: ChatbotParams): Embedder {
  if (provider.embed) {
    const embed = provider.embed.bind(provider);
    return { space: `${provider.name}/${params.embeddingModel}`, hashed: false, embed: (texts) => embed(texts, params.embeddingModel) };
  }
  return hashedEmbedder(params.embeddingDims);
}

function isHashed(info: IndexInfo): boolean {
  return info.vectors.startsWith(`${HASHED_EMBEDDER}/`);
}

function retrieveOptions(view: IndexView, params: ChatbotParams, fusion: Fusion = DEFAULT_FUSION): RetrieveOptions {
  const hashed = isHashed(view.info);
  const vectorWeight = (hashed ? params.vectorWeight : params.denseWeight) * fusion.vectorScale;
  return { candidates: params.candidates, vectorWeight, minSimilarity: hashed ? params.minSimilarity : 0 };
}

/** The fusion the last feedback fit chose (only one of the grid's: state is data, not code). */
function fusionOf(state: Readonly<State>): Fusion {
  const stored = (state.ranking as unknown as Partial<RankingInfo> | undefined)?.fusion;
  return (stored && FUSION_GRID.find((f) => sameFusion(f, stored))) ?? DEFAULT_FUSION;
}

async function queryOf(view: IndexView, text: string, params: ChatbotParams): Promise<Query> {
  if (!view.dims) return { text, vector: null };
  if (isHashed(view.info)) return { text, vector: weightQuery(hashedEmbed(text, view.dims), view.vectorIdf ?? new Float32Array(view.dims).fill(1)) };
  const embedder = embedderFor(params);
  if (embedder.space !== view.info.vectors) return { text, vector: null };
  const [vector] = await embedder.embed([text]);
  return { text, vector: vector ?? null };
}

/** How a state version ranks pages: the learned vote weight and reranker (if trained on today's features). */
function rankerOf(state: Readonly<State>): Ranker {
  const packed = state.reranker;
  const info = state.ranking as unknown as RankingInfo | undefined;
  return {
    voteWeight: typeof info?.voteWeight === "number" ? info.voteWeight : 1,
    reranker: packed instanceof Float32Array && packed.length === 1 + 3 * FEATURES.length ? packed : null,
  };
}

function labelsOf(state: Readonly<State>): LabeledQuestion[] {
  return (state.labels ?? []) as unknown as LabeledQuestion[];
}

const weights = new WeakMap<IndexView, Map<string, number>>();

/** idf of each content term of a question, from the BM25 index (for quoting the best sentences). */
function termWeights(view: IndexView, question: string): (term: string) => number {
  let cache = weights.get(view);
  if (!cache) weights.set(view, (cache = new Map()));
  const n = view.lexical.documentCount || 1;
  const byTerm = new Map<string, number>();
  for (const word of new Set(words(question))) {
    if (isStopWord(word)) continue;
    let idf = cache.get(word);
    if (idf === undefined) {
      const df = view.lexical.search(word, { prefix: false, fuzzy: false }).length;
      idf = Math.log(1 + n / (df + 1));
      if (cache.size < 50_000) cache.set(word, idf);
    }
    byTerm.set(stem(word), Math.max(byTerm.get(stem(word)) ?? 0, idf));
  }
  return (term) => byTerm.get(term) ?? 1;
}

function toSource(c: Candidate, page: PageCandidate): Source {
  const chunk = c.chunk;
  return { url: chunk.url, title: chunk.title, section: chunk.section, chunk: chunk.text, score: Math.round((c.base + (c === page.chunks[0] ? page.score - c.base : 0)) * 10_000) / 10_000 };
}

function nearestCorrection(state: Readonly<State>, question: string, threshold: number): CorrectedAnswer | null {
  let best: CorrectedAnswer | null = null;
  let bestScore = threshold;
  for (const c of (state.corrections ?? []) as unknown as CorrectedAnswer[]) {
    const s = termCosine(question, c.question);
    if (s >= bestScore) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

function nearestExamples(state: Readonly<State>, question: string, n: number): LearnedExample[] {
  const examples = (state.examples ?? []) as unknown as LearnedExample[];
  if (!n || !examples.length) return [];
  return examples
    .map((e) => ({ e, s: termCosine(question, e.question) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, n)
    .map((x) => x.e);
}

// ------------------------------------------------------------------ infer: answer a question

export async function answerQuestion(state: Readonly<State>, text: string, params: ChatbotParams): Promise<AnswerOutput> {
  const view = indexView(state);
  const fineTuned = (state.fineTune as unknown as FineTuneState | undefined)?.model ?? null;
  const model = provider.name === "openai" ? (fineTuned ?? params.chatModel) : "extractive-v2";
  const base = {
    provider: provider.name, reranked: false, correctedFrom: null, fewShot: 0,
    retrieval: (view.dims ? "hybrid" : "lexical") as AnswerOutput["retrieval"],
    index: { documents: view.info.documents, chunks: view.info.chunks },
  };
  if (!view.chunks.length) {
    return { ...base, answer: "No documents are indexed yet: add rows to the documents relation first.", sources: [], model };
  }
  const labels = labelsOf(state);
  const votes = labels.length ? labelModel(labels).votes(text) : undefined;
  const fusion = fusionOf(state);
  const candidates = retrieve(view, await queryOf(view, text, params), retrieveOptions(view, params, fusion));
  const corrected = nearestCorrection(state, text, params.duplicateThreshold);
  // The operator named the page for (almost) this question: it is a candidate even when
  // retrieval missed it (a correction must hold whatever the corpus's wording).
  if (corrected?.source && !candidates.some((c) => c.chunk.url === corrected.source)) {
    view.chunks.forEach((chunk, row) => {
      if (chunk.url === corrected.source) candidates.push({ row, chunk, lex: 0, vec: 0, base: 0 });
    });
  }
  const ranker = rankerOf(state);
  let pages = rankPages(pagesOf(view, text, candidates, votes, ranker.voteWeight, fusion.support), ranker);
  if (corrected?.source) {
    // The operator named the page for (almost) this question: it goes first.
    pages = [...pages.filter((p) => p.url === corrected.source), ...pages.filter((p) => p.url !== corrected.source)];
  }
  const pageOf = new Map(pages.map((p) => [p.url, p]));
  const sources = sourcesOf(pages, params.k).map((c) => toSource(c, pageOf.get(c.chunk.url)!));
  if (corrected?.answer) {
    return { ...base, reranked: !!ranker.reranker, correctedFrom: corrected.inferenceId, answer: corrected.answer, sources, model: "operator-correction" };
  }
  const fewShot = provider.name === "openai" ? nearestExamples(state, text, params.fewShot) : [];
  const result = await provider.answer({
    question: text, sources, fewShot, model, temperature: params.temperature, stream: params.stream, weight: termWeights(view, text),
  });
  return { ...base, reranked: !!ranker.reranker, correctedFrom: corrected?.inferenceId ?? null, fewShot: fewShot.length, answer: result.answer, sources, model: result.model };
}

// ------------------------------------------------------------------ fit: learn from feedback

export async function learnFromFeedback(state: Readonly<State>, rows: FeedbackRow[], params: ChatbotParams): Promise<{ patch: StatePatch; metrics: Record<string, number> }> {
  const events: FeedbackEvent[] = [];
  for (const row of rows) {
    if (row.trigger !== TRIGGER || row.route !== "questions") continue;
    const input = row.input as { text?: unknown } | null;
    const output = row.output as Partial<AnswerOutput> | null;
    if (typeof input?.text !== "string") continue;
    events.push({
      inferenceId: row.inferenceId,
      label: row.label,
      question: input.text,
      answer: typeof output?.answer === "string" ? output.answer : null,
      citedUrls: [...new Set((output?.sources ?? []).map((s) => s.url))],
      correction: readCorrection(row.correction),
    });
  }
  const view = indexView(state);
  const urls = new Set(view.chunks.map((c) => c.url));
  const previous = {
    labels: labelsOf(state),
    corrections: (state.corrections ?? []) as unknown as CorrectedAnswer[],
    examples: (state.examples ?? []) as unknown as LearnedExample[],
  };
  const { learned, unknownSources } = learn(previous, events, (url) => urls.has(url));
  const patch: StatePatch = {
    labels: learned.labels as unknown as StatePatch[string],
    corrections: learned.corrections as unknown as StatePatch[string],
    examples: learned.examples as unknown as StatePatch[string],
  };
  const metrics: Record<string, number> = {
    feedbackRows: rows.length,
    labeledQuestions: learned.labels.length,
    corrections: learned.corrections.length,
    fewShotExamples: learned.examples.length,
    unknownSources,
  };
  if (view.chunks.length) {
    // Questions are embedded once per fit (with the provider, when the index has its vectors).
    const queries = new Map<string, Query>();
    for (const l of learned.labels) if (!queries.has(l.question)) queries.set(l.question, await queryOf(view, l.question, params));
    const base: LabelContext = { view, model: new LabelModel(learned.labels), query: (q) => queries.get(q) ?? { text: q, vector: null }, options: retrieveOptions(view, params) };
    // First how retrieval blends and adds up (for every question), then votes and the reranker on top.
    const fusion = chooseFusion(base, learned.labels, params.minLabeledQuestions);
    const ctx: LabelContext = { ...base, options: retrieveOptions(view, params, fusion.fusion), support: fusion.fusion.support };
    const choice = chooseRanker(ctx, learned.labels, { epochs: params.rerankerEpochs, l2: params.rerankerL2, minQuestions: params.minLabeledQuestions });
    const ranking: RankingInfo = {
      voteWeight: choice.ranker.voteWeight,
      reranker: !!choice.ranker.reranker,
      features: [...FEATURES],
      questions: choice.questions,
      examples: choice.examples,
      labeledHitAt1: choice.hitAt1,
      fusion: fusion.fusion,
      fusionHitAt1: fusion.hitAt1,
    };
    patch.ranking = ranking as unknown as StatePatch[string];
    // A reranker that does not beat the un-learned score on held-back labels is not used.
    patch.reranker = choice.ranker.reranker ? Float32Array.from(choice.ranker.reranker) : undefined;
    metrics.rerankerQuestions = choice.questions;
    metrics.voteWeight = choice.ranker.voteWeight;
    metrics.rerankerUsed = choice.ranker.reranker ? 1 : 0;
    metrics.fusionVectorScale = fusion.fusion.vectorScale;
    metrics.fusionSupport = fusion.fusion.support.weight;
    metrics.fusionSupportChunks = fusion.fusion.support.chunks ?? 0;
    metrics.labeledHitAt1FusionDefault = fusion.hitAt1.default;
    metrics.labeledHitAt1FusionChosen = fusion.hitAt1.chosen;
    metrics.labeledHitAt1Unlabeled = choice.hitAt1.unlabeled;
    metrics.labeledHitAt1Votes = choice.hitAt1.votes;
    if (choice.hitAt1.reranker !== null) metrics.labeledHitAt1RerankerCv = choice.hitAt1.reranker;
    if (choice.fit) metrics.rerankerLoss = choice.fit.loss;
  }
  const fineTune = await stepFineTune(provider, (state.fineTune ?? null) as unknown as FineTuneState | null, learned.examples, params);
  if (fineTune) {
    patch.fineTune = fineTune as unknown as StatePatch[string];
    metrics.fineTuneExamples = fineTune.examples;
  }
  return { patch, metrics };
}

// ------------------------------------------------------------------ the app

export const docsQa = trigger(TRIGGER, {
  params: chatbotParams,
  correction: chatbotCorrection,
  trainingExample: chatbotTrainingExample,
  // Per version, from the labels on its answers: page hit@1/hit@3/MRR and the good-rate.
  evaluate: labelMetrics,
  // What reviewers rate besides good/bad: shown in the console's label panel, exported as
  // score.helpfulness / score.question_kind columns (they do not feed the fits).
  scores: {
    helpfulness: { kind: "numeric", min: 1, max: 5, integer: true, description: "How much the answer helps (1 = not at all, 5 = fully)" },
    question_kind: { kind: "categorical", values: ["how-to", "concept", "api-reference", "troubleshooting", "off-topic"], description: "What the user asked about" },
  },
  setUp: () => ({ ...emptyIndexState(), labels: [], corrections: [], examples: [], fineTune: null }) as State,
  // State schema 2: the BM25 index is stored in state (`lexical`). Opening Motion on a database
  // whose active/latest versions are older migrates them into new versions (README, State migrations).
  stateSchema: 2,
  migrations: [{ from: 1, to: 2, migrate: (state) => storeLexicalIndex(state) }],
  routes: [
    {
      relation: documents,
      // Each documents fit re-serialises the BM25 index: larger batches, fewer versions.
      batchSize: 100,
      maxWaitMs: 200,
      fit: async ({ state, rows, params, report }) => {
        const { patch, metrics } = await updateIndex(state, rows.map((r) => r.data), { chunkSize: params.chunkSize, embedder: embedderFor(params) });
        report(metrics);
        return patch;
      },
    },
    {
      relation: questions,
      infer: ({ state, row, params }) => answerQuestion(state, row.data.text, params),
    },
    {
      relation: feedback,
      batchSize: 100,
      maxWaitMs: 200,
      fit: async ({ state, rows, params, report }) => {
        const { patch, metrics } = await learnFromFeedback(state, rows.map((r) => r.data), params);
        report(metrics);
        return patch;
      },
    },
    {
      // A timer rather than rows (it takes none): polls a running fine-tuning job, so its model
      // goes live when the job finishes, not at the next label. A tick with nothing to poll, or
      // no change, returns nothing and commits no version.
      name: "fine-tune-poll",
      relation: feedback,
      filter: () => false,
      schedule: { cron: FINE_TUNE_POLL_CRON },
      fit: async ({ state, params, report }) => {
        const fineTune = await pollFineTune(provider, (state.fineTune ?? null) as unknown as FineTuneState | null, params);
        if (!fineTune) return undefined;
        report({ fineTunePolled: 1 });
        return { fineTune: fineTune as unknown as StatePatch[string] };
      },
    },
  ],
  retry: { maxAttempts: 3, backoffMs: 2000 },
});

export const chatbotApp = defineApp({
  name: "docs-chatbot",
  relations: [documents, questions, usage],
  triggers: [docsQa],
  module: import.meta.url,
});

export type { Candidate };
