// The docs Q&A chatbot from the Motion talk, written with the public engine API only.
//
//   documents (key: url) ──fit──▶ chunk, embed, replace the document's chunks in the vector index
//   questions            ──infer─▶ retrieve top-k from the active index, (rerank), answer, cite
//   feedback             ──fit──▶ reranker weights, corrected answers, few-shot examples,
//                                 optionally an OpenAI fine-tuning job
//
// Every fit commits a new immutable state version; infer always reads the active one.

import { z } from "zod";
import { defineApp, feedback, relation, trigger, type FeedbackRow, type State, type StatePatch } from "@motion/engine";
import type { Source } from "./answerer.ts";
import { chunkMarkdown, markdownTitle } from "./chunker.ts";
import { cosine, LEXICAL_EMBEDDER, lexicalEmbed } from "./embeddings.ts";
import { stepFineTune, type FineTuneState } from "./fine-tune.ts";
import {
  fitReranker, hitAtK, labelVotes, learn, parseCorrection, rerankerExamples,
  type CorrectedAnswer, type FeedbackEvent, type LabeledQuestion, type LearnedExample,
} from "./learning.ts";
import { providerFromEnv, type Provider } from "./providers/index.ts";
import { score } from "./reranker.ts";
import { FEATURES, isRelated, retrieve, type Candidate, type IndexView, type Query } from "./retriever.ts";
import { inverseFrequencies, replaceDocuments, type ChunkMeta, type DocumentChunks, type IndexData } from "./vector-index.ts";

export const TRIGGER = "docs-qa";

/** Chosen once from the environment (see providers/index.ts); fit worker threads choose the same. */
export const provider: Provider = providerFromEnv();

export const documents = relation("documents", {
  schema: z.object({
    url: z.string().min(1).max(2048),
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
  }),
});

export const chatbotParams = z.object({
  /** Sources returned (and given to the answerer). */
  k: z.number().int().min(1).max(20).default(4),
  /** Candidates scored by the reranker before the top k are kept. */
  candidates: z.number().int().min(1).max(200).default(20),
  chunkSize: z.number().int().min(200).max(8000).default(900),
  chunkOverlap: z.number().int().min(0).max(2000).default(150),
  /** Width of the hashed lexical vectors. */
  embeddingDims: z.number().int().min(64).max(16384).default(1024),
  chatModel: z.string().default("gpt-4o-mini"),
  embeddingModel: z.string().default("text-embedding-3-small"),
  temperature: z.number().min(0).max(2).default(0.2),
  /** Stream chat completions (the answer is the same; the SDK reads SSE). */
  stream: z.boolean().default(true),
  /** Few-shot examples (from approved/corrected answers) added to the OpenAI prompt. */
  fewShot: z.number().int().min(0).max(10).default(3),
  /** Lexical cosine above which a question reuses an operator's corrected answer. */
  duplicateThreshold: z.number().min(0).max(1).default(0.9),
  /** The reranker is trained once this many labeled questions have a right and a wrong document. */
  minLabeledQuestions: z.number().int().min(1).default(8),
  rerankerEpochs: z.number().int().min(1).max(10_000).default(400),
  rerankerL2: z.number().min(0).max(10).default(0.01),
  fineTune: z.boolean().default(false),
  fineTuneBaseModel: z.string().default("gpt-4o-mini-2024-07-18"),
  fineTuneMinExamples: z.number().int().min(1).default(10),
});

export type ChatbotParams = z.output<typeof chatbotParams>;

export interface IndexInfo {
  embedder: string;
  dims: number;
  denseModel: string | null;
  denseDims: number;
  documents: number;
  chunks: number;
}

export interface RerankerInfo {
  features: string[];
  questions: number;
  examples: number;
  loss: number;
  accuracy: number;
}

/** What infer returns for a question (stored as the inference output). */
export interface AnswerOutput {
  answer: string;
  sources: Source[];
  provider: "local" | "openai";
  model: string;
  /** Whether a learned reranker ordered the sources. */
  reranked: boolean;
  /** The inference whose operator correction answered this near-duplicate question. */
  correctedFrom: string | null;
  fewShot: number;
  /** "hybrid" when dense provider embeddings were blended with the lexical scores. */
  retrieval: "lexical" | "hybrid";
  /** The size of the index that answered. */
  index: { documents: number; chunks: number };
}

// ------------------------------------------------------------------ state access

const views = new WeakMap<object, IndexView>();

/**
 * The index of a state version, with its typed arrays copied out of the read-only proxies once
 * per version (scoring reads every element; through the proxy that is several times slower).
 */
export function indexOf(state: Readonly<State>): IndexView {
  const cached = views.get(state);
  if (cached) return cached;
  const info = state.index as unknown as IndexInfo;
  const copy = (v: unknown) => (v instanceof Float32Array ? v.slice() : null);
  const view: IndexView = {
    chunks: (state.chunks ?? []) as unknown as ChunkMeta[],
    lexical: copy(state.lexical) ?? new Float32Array(0),
    dims: info.dims,
    idf: copy(state.idf) ?? new Float32Array(info.dims),
    dense: copy(state.dense),
    denseDims: info.denseDims,
  };
  views.set(state, view);
  return view;
}

function emptyIndex(dims: number): Record<string, unknown> {
  const info: IndexInfo = { embedder: LEXICAL_EMBEDDER, dims, denseModel: null, denseDims: 0, documents: 0, chunks: 0 };
  return { index: info, chunks: [], lexical: new Float32Array(0), idf: new Float32Array(dims) };
}

async function queryOf(index: IndexView, info: IndexInfo, text: string, params: ChatbotParams): Promise<Query> {
  if (index.dense && provider.embed && info.denseModel === params.embeddingModel) {
    const [dense] = await provider.embed([text], params.embeddingModel);
    return { text, dense: dense ?? null };
  }
  return { text };
}

function rank(found: Candidate[], reranker: ArrayLike<number> | null): { candidate: Candidate; score: number }[] {
  const scored = found.map((candidate) => ({ candidate, score: reranker ? score(reranker, candidate.features) : candidate.base }));
  return reranker ? scored.sort((a, b) => b.score - a.score || a.candidate.row - b.candidate.row) : scored;
}

function toSource(c: Candidate, s: number): Source {
  return { url: c.chunk.url, title: c.chunk.title, section: c.chunk.section, chunk: c.chunk.text, score: Math.round(s * 10_000) / 10_000 };
}

const correctionVectors = new WeakMap<object, Float32Array[]>();

function nearestCorrection(state: Readonly<State>, question: string, dims: number, threshold: number): CorrectedAnswer | null {
  const corrections = (state.corrections ?? []) as unknown as CorrectedAnswer[];
  if (!corrections.length) return null;
  let vectors = correctionVectors.get(corrections);
  if (!vectors) {
    vectors = corrections.map((c) => lexicalEmbed(c.question, dims));
    correctionVectors.set(corrections, vectors);
  }
  const q = lexicalEmbed(question, dims);
  let best: CorrectedAnswer | null = null;
  let bestScore = threshold;
  corrections.forEach((c, i) => {
    const s = cosine(q, vectors[i]!);
    if (s >= bestScore) {
      best = c;
      bestScore = s;
    }
  });
  return best;
}

function nearestExamples(state: Readonly<State>, question: string, dims: number, n: number): LearnedExample[] {
  const examples = (state.examples ?? []) as unknown as LearnedExample[];
  if (!n || !examples.length) return [];
  const q = lexicalEmbed(question, dims);
  return examples
    .map((e) => ({ e, s: cosine(q, lexicalEmbed(e.question, dims)) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, n)
    .map((x) => x.e);
}

// ------------------------------------------------------------------ infer: answer a question

export async function answerQuestion(state: Readonly<State>, text: string, params: ChatbotParams): Promise<AnswerOutput> {
  const info = state.index as unknown as IndexInfo;
  const index = indexOf(state);
  const fineTuned = (state.fineTune as unknown as FineTuneState | undefined)?.model ?? null;
  const model = provider.name === "openai" ? (fineTuned ?? params.chatModel) : "extractive-v1";
  const base = {
    provider: provider.name, reranked: false, correctedFrom: null, fewShot: 0,
    retrieval: "lexical" as AnswerOutput["retrieval"], index: { documents: info.documents, chunks: info.chunks },
  };
  if (!index.chunks.length) {
    return { ...base, answer: "No documents are indexed yet: add rows to the documents relation first.", sources: [], model };
  }
  const reranker = state.reranker instanceof Float32Array ? (state.reranker as Float32Array) : null;
  // A chunk sharing no term with the question (hashed vectors can collide) and with no dense
  // similarity is never cited.
  const labels = (state.labels ?? []) as unknown as LabeledQuestion[];
  const votes = reranker ? labelVotes(text, labels, index.dims) : undefined;
  const query = await queryOf(index, info, text, params);
  if (query.dense) base.retrieval = "hybrid";
  const found = retrieve(index, query, params.candidates, votes).filter(isRelated);
  let ranked = rank(found, reranker);
  const corrected = nearestCorrection(state, text, index.dims, params.duplicateThreshold);
  if (corrected?.urls.length) {
    const preferred = ranked.filter((r) => corrected.urls.includes(r.candidate.chunk.url));
    ranked = [...preferred, ...ranked.filter((r) => !corrected.urls.includes(r.candidate.chunk.url))];
  }
  const sources = ranked.slice(0, params.k).map((r) => toSource(r.candidate, r.score));
  if (corrected?.answer) {
    return { ...base, reranked: !!reranker, correctedFrom: corrected.inferenceId, answer: corrected.answer, sources, model: "operator-correction" };
  }
  const fewShot = provider.name === "openai" ? nearestExamples(state, text, index.dims, params.fewShot) : [];
  const result = await provider.answer({ question: text, sources, fewShot, model, temperature: params.temperature, stream: params.stream });
  return {
    ...base,
    reranked: !!reranker,
    correctedFrom: corrected?.inferenceId ?? null,
    fewShot: fewShot.length,
    answer: result.answer,
    sources,
    model: result.model,
  };
}

// ------------------------------------------------------------------ fit: index documents

interface DocumentRow {
  url: string;
  title?: string;
  text: string;
}

async function embedChunks(chunks: ChunkMeta[], dims: number, params: ChatbotParams, withDense: boolean): Promise<{ lexical: Float32Array; dense: Float32Array | null; denseDims: number }> {
  const lexical = new Float32Array(chunks.length * dims);
  chunks.forEach((c, i) => lexicalEmbed({ text: c.text, heading: c.section }, dims, lexical.subarray(i * dims, (i + 1) * dims)));
  if (!withDense || !provider.embed || !chunks.length) return { lexical, dense: null, denseDims: 0 };
  const vectors = await provider.embed(chunks.map((c) => `${c.section}\n\n${c.text}`), params.embeddingModel);
  const denseDims = vectors[0]!.length;
  const dense = new Float32Array(chunks.length * denseDims);
  vectors.forEach((v, i) => {
    if (v.length !== denseDims) throw new Error(`embedding model ${params.embeddingModel} returned vectors of different widths`);
    dense.set(v, i * denseDims);
  });
  return { lexical, dense, denseDims };
}

export async function indexDocuments(state: Readonly<State>, rows: DocumentRow[], params: ChatbotParams): Promise<{ patch: StatePatch; metrics: Record<string, number> }> {
  const info = state.index as unknown as IndexInfo;
  const withDense = !!provider.embed;
  let index: IndexData = {
    chunks: (state.chunks ?? []) as unknown as ChunkMeta[],
    lexical: (state.lexical as Float32Array) ?? new Float32Array(0),
    dims: info.dims,
    dense: state.dense instanceof Float32Array ? state.dense : null,
    denseDims: info.denseDims,
  };
  let reembedded = 0;
  // Params changed the vector space (dims, embedding model, provider): re-embed kept chunks from their text.
  const denseStale = withDense ? info.denseModel !== params.embeddingModel || !index.dense : index.dense !== null;
  if (index.chunks.length && (info.dims !== params.embeddingDims || denseStale)) {
    const vectors = await embedChunks(index.chunks, params.embeddingDims, params, withDense);
    index = { chunks: index.chunks, lexical: vectors.lexical, dims: params.embeddingDims, dense: vectors.dense, denseDims: vectors.denseDims };
    reembedded = index.chunks.length;
  } else if (!index.chunks.length) {
    index = { ...index, dims: params.embeddingDims, dense: null, denseDims: 0 };
  }
  // The last row for a url wins within a batch, as later rows are newer versions of the record.
  const latest = new Map<string, DocumentRow>();
  for (const row of rows) latest.set(row.url, row);
  const docs: DocumentChunks[] = [];
  let denseDims = index.denseDims;
  for (const row of latest.values()) {
    const title = row.title?.trim() || markdownTitle(row.text) || row.url;
    const chunks: ChunkMeta[] = chunkMarkdown(row.text, title, params).map((c) => ({ url: row.url, title, section: c.section, ord: c.ord, text: c.text }));
    const vectors = await embedChunks(chunks, index.dims, params, withDense);
    if (vectors.denseDims) denseDims = vectors.denseDims;
    docs.push({ url: row.url, chunks, lexical: vectors.lexical, dense: vectors.dense });
  }
  const before = index.chunks.length;
  const replacedUrls = new Set(latest.keys());
  const removed = index.chunks.filter((c) => replacedUrls.has(c.url)).length;
  const next = replaceDocuments(index, docs, denseDims);
  const documentCount = new Set(next.chunks.map((c) => c.url)).size;
  const nextInfo: IndexInfo = {
    embedder: LEXICAL_EMBEDDER,
    dims: next.dims,
    denseModel: next.dense ? params.embeddingModel : null,
    denseDims: next.denseDims,
    documents: documentCount,
    chunks: next.chunks.length,
  };
  const patch: StatePatch = {
    index: nextInfo as unknown as StatePatch[string],
    chunks: next.chunks as unknown as StatePatch[string],
    lexical: next.lexical,
    idf: inverseFrequencies(next.lexical, next.chunks.length, next.dims),
    dense: next.dense ?? undefined,
  };
  return {
    patch,
    metrics: {
      documents: latest.size,
      chunksAdded: docs.reduce((n, d) => n + d.chunks.length, 0),
      chunksRemoved: removed,
      chunksReembedded: reembedded,
      indexChunks: next.chunks.length,
      indexDocuments: documentCount,
      indexChunksBefore: before,
    },
  };
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
      correction: parseCorrection(row.correction),
    });
  }
  const previous = {
    labels: (state.labels ?? []) as unknown as LabeledQuestion[],
    corrections: (state.corrections ?? []) as unknown as CorrectedAnswer[],
    examples: (state.examples ?? []) as unknown as LearnedExample[],
  };
  const learned = learn(previous, events);
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
  };
  const index = indexOf(state);
  const info = state.index as unknown as IndexInfo;
  if (index.chunks.length) {
    // Questions are embedded once per fit (with the provider, when the index has dense vectors).
    const queries = new Map<string, Query>();
    for (const l of learned.labels) queries.set(l.question, await queryOf(index, info, l.question, params));
    const embed = (q: string) => queries.get(q) ?? { text: q };
    const { examples, questions: usable } = rerankerExamples(index, learned.labels, embed, params.candidates);
    const fitted = usable >= params.minLabeledQuestions ? fitReranker(examples, usable, { epochs: params.rerankerEpochs, l2: params.rerankerL2, hybrid: index.dense !== null && info.denseModel === params.embeddingModel && !!provider.embed }) : null;
    if (fitted) {
      patch.reranker = fitted.result.model.packed;
      const rerankerInfo: RerankerInfo = { features: [...FEATURES], questions: fitted.questions, examples: fitted.examples, loss: fitted.result.loss, accuracy: fitted.result.accuracy };
      patch.rerankerInfo = rerankerInfo as unknown as StatePatch[string];
      metrics.rerankerExamples = fitted.examples;
      metrics.rerankerLoss = fitted.result.loss;
      metrics.rerankerAccuracy = fitted.result.accuracy;
      metrics.labeledHitAt3Before = hitAtK(index, learned.labels, embed, params.candidates, 3, null);
      metrics.labeledHitAt3After = hitAtK(index, learned.labels, embed, params.candidates, 3, fitted.result.model.packed);
    }
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
  setUp: ({ params }) => ({ ...emptyIndex(params.embeddingDims), labels: [], corrections: [], examples: [], fineTune: null }) as State,
  routes: [
    {
      relation: documents,
      batchSize: 32,
      maxWaitMs: 200,
      fit: async ({ state, rows, params, report }) => {
        const { patch, metrics } = await indexDocuments(state, rows.map((r) => r.data), params);
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
      batchSize: 50,
      maxWaitMs: 200,
      fit: async ({ state, rows, params, report }) => {
        const { patch, metrics } = await learnFromFeedback(state, rows.map((r) => r.data), params);
        report(metrics);
        return patch;
      },
    },
  ],
  retry: { maxAttempts: 3, backoffMs: 2000 },
});

export const chatbotApp = defineApp({
  name: "docs-chatbot",
  relations: [documents, questions],
  triggers: [docsQa],
  module: import.meta.url,
});
