// Hybrid retrieval: BM25 over the chunks (lexical-index.ts) and cosine similarity of vectors
// (hashed trigrams offline, provider embeddings with OpenAI), each normalised by its best score
// for the question and blended. Candidate chunks are then grouped by page: a page is ranked by
// its best chunk plus the support of its other candidate chunks, and described by features
// that say how the page relates to the question — not which page it is — so a reranker trained
// on some questions' labels carries over to questions nobody labeled.

import { dotAll } from "./embeddings.ts";
import { searchLexical } from "./lexical-index.ts";
import type { ChunkMeta, IndexView } from "./search-index.ts";
import { terms } from "./text.ts";

export interface Query {
  text: string;
  /** The question's vector in the index's space (weighted for hashed vectors), or null. */
  vector: Float32Array | null;
}

/** For each page, how strongly labeled questions like this one pointed at it (label-votes.ts). */
export interface LabelVotes {
  for: ReadonlyMap<string, number>;
  against: ReadonlyMap<string, number>;
}

export interface Candidate {
  row: number;
  chunk: ChunkMeta;
  /** BM25 score divided by the question's best BM25 score. */
  lex: number;
  /** Vector cosine divided by the question's best cosine (0 when negative). */
  vec: number;
  /** The blended score: lex + vectorWeight · vec. */
  base: number;
}

export interface RetrieveOptions {
  candidates: number;
  /** Weight of the (normalised) vector score next to the (normalised) BM25 score. */
  vectorWeight: number;
  /** A chunk without a BM25 match needs at least this cosine to be a candidate. */
  minSimilarity: number;
}

/** The best `candidates` chunks for a question, best first. */
export function retrieve(view: IndexView, query: Query, options: RetrieveOptions): Candidate[] {
  const rows = view.chunks.length;
  if (!rows) return [];
  const pool = Math.max(options.candidates * 3, 60);
  const lex = new Map<number, number>();
  for (const hit of searchLexical(view.lexical, query.text, pool)) {
    const row = view.rowOf.get(hit.id);
    if (row !== undefined) lex.set(row, hit.score);
  }
  const maxLex = Math.max(1e-9, ...lex.values());
  let vec: Float32Array | null = null;
  let maxVec = 1e-9;
  if (query.vector && view.dims && query.vector.length === view.dims) {
    vec = dotAll(query.vector, view.vectors, rows, view.dims);
    for (const s of vec) maxVec = Math.max(maxVec, s);
  }
  const pooled = new Set(lex.keys());
  if (vec) {
    const close: number[] = [];
    for (let r = 0; r < rows; r++) if (vec[r]! >= options.minSimilarity) close.push(r);
    close.sort((a, b) => vec[b]! - vec[a]! || a - b);
    for (const r of close.slice(0, pool)) pooled.add(r);
  }
  return [...pooled]
    .map((row) => {
      const l = (lex.get(row) ?? 0) / maxLex;
      const v = vec ? Math.max(0, vec[row]!) / maxVec : 0;
      return { row, chunk: view.chunks[row]!, lex: l, vec: v, base: l + options.vectorWeight * v };
    })
    .sort((a, b) => b.base - a.base || a.row - b.row)
    .slice(0, options.candidates);
}

export const FEATURES = [
  "retrieval",
  "lex",
  "vec",
  "support",
  "coverage",
  "bestCoverage",
  "titleMatch",
  "sectionMatch",
  "reciprocalRank",
  "labelFor",
  "labelAgainst",
] as const;

export type FeatureName = (typeof FEATURES)[number];
const F = Object.fromEntries(FEATURES.map((name, i) => [name, i])) as Record<FeatureName, number>;

/** A page among the candidates: its candidate chunks (best first) and its features. */
export interface PageCandidate {
  url: string;
  chunks: Candidate[];
  /** The retrieval score relative to the question's best page (1 for the best). */
  retrieval: number;
  /** The un-learned score: retrieval + voteWeight · (votes for − votes against). */
  score: number;
  features: number[];
}

/** How much the other candidate chunks of a page add to its best one. */
export const SUPPORT = 0.3;

/** How a page's other candidate chunks add to its best one: weight, and how many count (null: all). */
export interface PageSupport {
  weight: number;
  chunks: number | null;
}

export const DEFAULT_SUPPORT: PageSupport = { weight: SUPPORT, chunks: null };

/**
 * The same candidates under another vector weight: each chunk's blended score recomputed from its
 * normalised BM25 and vector scores, best `n` kept. For the feedback fit, which tries fusion
 * settings on the labeled questions from one wide retrieval per question.
 */
export function reblend(candidates: readonly Candidate[], vectorWeight: number, n: number): Candidate[] {
  return candidates
    .map((c) => ({ ...c, base: c.lex + vectorWeight * c.vec }))
    .sort((a, b) => b.base - a.base || a.row - b.row)
    .slice(0, n);
}

/**
 * The candidate chunks grouped by page, best page first (un-learned order). A page's retrieval
 * score is its best chunk plus `support.weight` (SUPPORT unless the feedback fit chose another)
 * times its other candidate chunks, or the best `support.chunks` of them (a page that matches in
 * several places is more likely the one), relative to the best page's; label votes are added
 * with `voteWeight` (learned by the feedback fit, see learning.ts).
 */
export function pagesOf(view: IndexView, question: string, candidates: Candidate[], votes?: LabelVotes, voteWeight = 1, support: PageSupport = DEFAULT_SUPPORT): PageCandidate[] {
  const q = [...new Set(terms(question))];
  const frac = (has: (t: string) => boolean) => (q.length ? q.filter(has).length / q.length : 0);
  const byUrl = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byUrl.get(c.chunk.url) ?? [];
    list.push(c);
    byUrl.set(c.chunk.url, list);
  }
  const pages = [...byUrl].map(([url, chunks]): PageCandidate => {
    const best = chunks[0]!;
    const heading = view.headingTermsOf(best.row);
    const bodies = chunks.map((c) => view.termsOf(c.row));
    const f = new Array<number>(FEATURES.length).fill(0);
    f[F.lex] = Math.max(...chunks.map((c) => c.lex));
    f[F.vec] = Math.max(...chunks.map((c) => c.vec));
    f[F.support] = chunks.slice(1, support.chunks === null ? undefined : 1 + support.chunks).reduce((acc, c) => acc + c.base, 0);
    f[F.retrieval] = best.base + support.weight * f[F.support]!;
    f[F.coverage] = frac((t) => bodies.some((b) => b.has(t)) || heading.title.has(t));
    f[F.bestCoverage] = frac((t) => bodies[0]!.has(t));
    f[F.titleMatch] = frac((t) => heading.title.has(t));
    f[F.sectionMatch] = frac((t) => heading.section.has(t));
    f[F.labelFor] = votes?.for.get(url) ?? 0;
    f[F.labelAgainst] = votes?.against.get(url) ?? 0;
    return { url, chunks, retrieval: 0, score: 0, features: f };
  });
  const top = Math.max(1e-9, ...pages.map((p) => p.features[F.retrieval]!));
  const byRow = (a: PageCandidate, b: PageCandidate) => a.chunks[0]!.row - b.chunks[0]!.row;
  for (const p of pages) {
    p.retrieval = p.features[F.retrieval]! / top;
    p.features[F.retrieval] = p.retrieval;
    p.score = p.retrieval + voteWeight * (p.features[F.labelFor]! - p.features[F.labelAgainst]!);
  }
  pages.sort((a, b) => b.retrieval - a.retrieval || byRow(a, b));
  pages.forEach((p, rank) => (p.features[F.reciprocalRank] = 1 / (1 + rank)));
  return pages.sort((a, b) => b.score - a.score || byRow(a, b));
}

/**
 * Sources in the order they are cited: the best chunk of each of the first `distinct` pages
 * (so the first sources name different pages), then further chunks of the pages in order.
 */
export function sourcesOf(pages: PageCandidate[], k: number, distinct = 3): Candidate[] {
  const first = pages.slice(0, Math.min(distinct, k)).map((p) => p.chunks[0]!);
  const rest = pages.flatMap((p, i) => (i < distinct ? p.chunks.slice(1) : p.chunks));
  return [...first, ...rest].slice(0, k);
}
