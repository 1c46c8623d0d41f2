// The offline vector side of retrieval: hashed character trigrams ("feature hashing"). Each
// content word contributes itself and its trigrams (with word-boundary marks), weighted by
// 1 + log(tf), hashed with a sign into `dims` buckets; the vector is L2-normalised. Trigrams
// let "serialise" meet "serialize", "gitignore" meet "ignore" and "colour" meet "color", which
// BM25's exact terms miss. No model and no network: deterministic across machines. With the
// OpenAI provider, its embeddings take this place.

import { isStopWord, words } from "./text.ts";

export const HASHED_EMBEDDER = "hashed-char3-v1";

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function features(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string) => counts.set(f, (counts.get(f) ?? 0) + 1);
  for (const w of words(text)) {
    if (isStopWord(w) || w.includes(".")) continue;
    add(`w:${w}`);
    const marked = `<${w}>`;
    for (let i = 0; i + 3 <= marked.length; i++) add(marked.slice(i, i + 3));
  }
  return counts;
}

export function hashedEmbed(text: string, dims: number, out = new Float32Array(dims)): Float32Array {
  out.fill(0);
  for (const [feature, tf] of features(text)) {
    const h = fnv1a(feature);
    const bucket = h % dims;
    out[bucket] = out[bucket]! + (h & 0x80000000 ? -1 : 1) * (1 + Math.log(tf));
  }
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += out[i]! * out[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dims; i++) out[i] = out[i]! / norm;
  return out;
}

/** Per-bucket inverse document frequency over row-major vectors (weights the query's buckets). */
export function bucketIdf(vectors: Float32Array, rows: number, dims: number): Float32Array {
  const df = new Float32Array(dims);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    for (let j = 0; j < dims; j++) if (vectors[base + j] !== 0) df[j] = df[j]! + 1;
  }
  const idf = new Float32Array(dims);
  for (let j = 0; j < dims; j++) idf[j] = Math.log(1 + (rows + 1) / (df[j]! + 1));
  return idf;
}

/** The query vector weighted by idf and renormalised, so rare trigrams count more. */
export function weightQuery(query: Float32Array, idf: Float32Array): Float32Array {
  const out = new Float32Array(query.length);
  let norm = 0;
  for (let j = 0; j < query.length; j++) {
    out[j] = query[j]! * (idf[j] ?? 1);
    norm += out[j]! * out[j]!;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < out.length; j++) out[j] = out[j]! / norm;
  return out;
}

/**
 * Dot product of one query with every row of a row-major matrix. A hashed query is sparse (a
 * question touches a few hundred of the buckets), so only its non-zero dimensions are visited.
 */
export function dotAll(query: Float32Array, matrix: Float32Array, rows: number, dims: number): Float32Array {
  const scores = new Float32Array(rows);
  const nonZero: number[] = [];
  for (let j = 0; j < dims; j++) if (query[j] !== 0) nonZero.push(j);
  if (nonZero.length < dims / 4) {
    const idx = Int32Array.from(nonZero);
    const val = Float32Array.from(nonZero, (j) => query[j]!);
    for (let r = 0; r < rows; r++) {
      const base = r * dims;
      let dot = 0;
      for (let k = 0; k < idx.length; k++) dot += val[k]! * matrix[base + idx[k]!]!;
      scores[r] = dot;
    }
    return scores;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    let dot = 0;
    for (let j = 0; j < dims; j++) dot += query[j]! * matrix[base + j]!;
    scores[r] = dot;
  }
  return scores;
}
