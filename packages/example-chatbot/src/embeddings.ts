// The local embedder: hashed lexical vectors ("feature hashing"). Each content term and each
// adjacent term pair is hashed to one of `dims` buckets with a sign, weighted by 1 + log(tf),
// and the vector is L2-normalised. No model, no network: deterministic across machines.
// Inverse document frequencies are not baked in; the index keeps per-bucket document counts
// in state and weights the query with them (see vector-index.ts).

import { bigrams, terms } from "./text.ts";

export const LEXICAL_EMBEDDER = "hashed-lexical-v1";

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface LexicalInput {
  text: string;
  /** Heading / title text: counted twice, since a section title says what it is about. */
  heading?: string;
}

export function lexicalEmbed(input: LexicalInput | string, dims: number, out = new Float32Array(dims)): Float32Array {
  const { text, heading = "" } = typeof input === "string" ? { text: input } : input;
  const counts = new Map<string, number>();
  const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
  const body = terms(text);
  for (const t of body) add(t, 1);
  for (const b of bigrams(body)) add(b, 0.5);
  const head = terms(heading);
  for (const t of head) add(t, 2);
  for (const b of bigrams(head)) add(b, 1);
  out.fill(0);
  for (const [feature, tf] of counts) {
    const h = fnv1a(feature);
    const bucket = h % dims;
    const sign = h & 0x80000000 ? -1 : 1;
    out[bucket] = out[bucket]! + sign * (1 + Math.log(tf));
  }
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += out[i]! * out[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dims; i++) out[i] = out[i]! / norm;
  return out;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
