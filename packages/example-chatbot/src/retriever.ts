// Retrieval: scores every chunk of the index against a question (idf-weighted lexical cosine,
// plus dense cosine when the index has provider embeddings), keeps the best candidates and
// describes each with the features the learned reranker weighs.

import { lexicalEmbed } from "./embeddings.ts";
import { bigrams, terms } from "./text.ts";
import { topK, weightQuery, type ChunkMeta } from "./vector-index.ts";

export const FEATURES = [
  "lexical",
  "lexicalRel",
  "dense",
  "denseRel",
  "coverage",
  "idfCoverage",
  "sectionMatch",
  "titleMatch",
  "bigramMatch",
  "identifierMatch",
  "reciprocalRank",
  "docSupport",
  "docBest",
  "length",
  "labelVote",
] as const;

export interface Candidate {
  row: number;
  chunk: ChunkMeta;
  /** The score before reranking (what ranks candidates when no reranker is trained). */
  base: number;
  features: number[];
}

export interface IndexView {
  chunks: readonly ChunkMeta[];
  lexical: Float32Array;
  dims: number;
  idf: Float32Array;
  dense: Float32Array | null;
  denseDims: number;
}

export interface Query {
  text: string;
  /** Provider embedding of the question, when the index has dense vectors. */
  dense?: Float32Array | null;
}

function termSet(text: string): Set<string> {
  return new Set(terms(text));
}

/** Code-ish tokens in a question: `rows.add`, `guardBinaryState`, `motion_state`. */
function identifiers(text: string): string[] {
  return [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+|[a-z]+[A-Z][A-Za-z0-9]*|[a-z]+_[a-z_]+/g)].map((m) => m[0].toLowerCase());
}

/**
 * `votes`: for each page, how strongly labeled questions similar to this one pointed at it
 * (see learning.ts); it becomes the `labelVote` feature.
 */
export function retrieve(index: IndexView, query: Query, candidates: number, votes?: ReadonlyMap<string, number>, denseWeight = 0.7): Candidate[] {
  const rows = index.chunks.length;
  if (rows === 0) return [];
  const q = weightQuery(lexicalEmbed(query.text, index.dims), index.idf);
  const lexicalHits = topK(q, index.lexical, rows, index.dims, rows);
  const lexicalScore = new Float32Array(rows);
  for (const h of lexicalHits) lexicalScore[h.row] = h.score;
  const maxLexical = Math.max(1e-6, lexicalHits[0]!.score);
  let denseScore: Float32Array | null = null;
  let maxDense = 1e-6;
  if (query.dense && index.dense && index.denseDims === query.dense.length) {
    denseScore = new Float32Array(rows);
    for (const h of topK(query.dense, index.dense, rows, index.denseDims, rows)) denseScore[h.row] = h.score;
    for (const s of denseScore) maxDense = Math.max(maxDense, s);
  }
  const base = (r: number) =>
    denseScore ? denseWeight * (denseScore[r]! / maxDense) + (1 - denseWeight) * (lexicalScore[r]! / maxLexical) : lexicalScore[r]!;
  const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => base(b) - base(a) || a - b).slice(0, candidates);

  const qTerms = [...termSet(query.text)];
  const qBigrams = bigrams(terms(query.text));
  const qIds = identifiers(query.text);
  const idfOf = (t: string) => {
    const v = lexicalEmbed(t, index.dims);
    let best = 0;
    for (let j = 0; j < v.length; j++) if (v[j] !== 0) best = Math.max(best, index.idf[j]!);
    return best;
  };
  const qIdf = qTerms.map(idfOf);
  const idfTotal = qIdf.reduce((a, b) => a + b, 0) || 1;
  const perDoc = new Map<string, { count: number; best: number }>();
  for (const r of order) {
    const url = index.chunks[r]!.url;
    const d = perDoc.get(url) ?? { count: 0, best: 0 };
    d.count++;
    d.best = Math.max(d.best, lexicalScore[r]! / maxLexical);
    perDoc.set(url, d);
  }
  return order.map((r, rank) => {
    const chunk = index.chunks[r]!;
    const body = termSet(`${chunk.section}\n${chunk.text}`);
    const section = termSet(chunk.section.split(" › ").slice(1).join(" "));
    const title = termSet(chunk.title);
    const bodyText = chunk.text.toLowerCase();
    const bodyBigrams = new Set(bigrams(terms(chunk.text)));
    const covered = qTerms.filter((t) => body.has(t));
    const frac = (s: Set<string>) => (qTerms.length ? qTerms.filter((t) => s.has(t)).length / qTerms.length : 0);
    const doc = perDoc.get(chunk.url)!;
    const features = [
      lexicalScore[r]!,
      lexicalScore[r]! / maxLexical,
      denseScore ? denseScore[r]! : 0,
      denseScore ? denseScore[r]! / maxDense : 0,
      qTerms.length ? covered.length / qTerms.length : 0,
      qTerms.reduce((acc, t, i) => acc + (body.has(t) ? qIdf[i]! : 0), 0) / idfTotal,
      frac(section),
      frac(title),
      qBigrams.length ? qBigrams.filter((b) => bodyBigrams.has(b)).length / qBigrams.length : 0,
      qIds.length ? qIds.filter((id) => bodyText.includes(id)).length / qIds.length : 0,
      1 / (1 + rank),
      doc.count / order.length,
      doc.best,
      Math.log(1 + chunk.text.length) / 8,
      votes?.get(chunk.url) ?? 0,
    ];
    return { row: r, chunk, base: base(r), features };
  });
}

const COVERAGE = FEATURES.indexOf("coverage");
const DENSE = FEATURES.indexOf("dense");

/** Shares a content term with the question (hashed vectors can collide), or is close in the dense space. */
export function isRelated(c: Candidate): boolean {
  return c.features[COVERAGE]! > 0 || c.features[DENSE]! > 0;
}
