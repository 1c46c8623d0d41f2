// What other ranking settings would have done on an evaluation set — a diagnostic for the
// people working on this package (`npm run eval -w @motion/example-chatbot -- --what-if`).
//
// The index is built in memory by the documents fit's own code; each question's candidate chunks
// (BM25 and vector scores, normalised as in retriever.ts) are computed once, and pages are then
// ranked under every variant of a small grid:
//   - fusion: the vector weight, the support weight and how many other chunks of a page count;
//   - confusion pairs: a label-learned preference, "when page A was ranked first and the
//     operator corrected it to B, prefer B over A when both are candidates", learned from the
//     corrections the evaluation gives on the training half (scored leave-one-out there).
// A variant is chosen on the training half only (ties keep the shipped settings). Held-out hit@1
// is printed next to each, and the best held-out figure of the grid is printed as a ceiling: it is
// chosen by looking at the held-out answers, so it says what these settings could reach at most,
// not what to ship.

import { chatbotParams } from "./app.ts";
import { hashedEmbed, weightQuery } from "./embeddings.ts";
import type { EvalSet } from "./evaluation.ts";
import { retrieve, SUPPORT } from "./retriever.ts";
import { emptyIndexState, hashedEmbedder, indexView, updateIndex } from "./search-index.ts";
import type { State } from "@motion/engine";

export interface Variant {
  vectorWeight: number;
  support: number;
  /** How many other candidate chunks of a page add to its score (Infinity: all, as shipped). */
  supportChunks: number;
  /** Weight of the confusion pairs learned from corrections (0: not used). */
  confusion: number;
}

export interface VariantScore {
  variant: Variant;
  /** hit@1 on the training half (confusion pairs scored leave-one-out). */
  train: number;
  heldout: number;
}

export interface WhatIf {
  shipped: VariantScore;
  /** The best training hit@1 (ties: the shipped settings, then grid order). */
  chosen: VariantScore;
  /** The best held-out hit@1 in the grid: a ceiling, chosen by looking at the held-out half. */
  ceiling: VariantScore;
  /** The best of each family when the other settings stay as shipped. */
  families: { name: string; chosen: VariantScore; ceiling: VariantScore }[];
  variants: number;
}

interface Scored {
  url: string;
  split: "train" | "heldout";
  /** Candidate chunks: page url, normalised BM25 and vector scores. */
  chunks: { url: string; lex: number; vec: number }[];
}

type Ranked = { url: string; s: number }[];

function pagesUnder(q: Scored, v: Variant, candidates: number): Ranked {
  const chunks = q.chunks.map((c) => ({ url: c.url, base: c.lex + v.vectorWeight * c.vec })).sort((a, b) => b.base - a.base).slice(0, candidates);
  const byUrl = new Map<string, number[]>();
  for (const c of chunks) byUrl.set(c.url, [...(byUrl.get(c.url) ?? []), c.base]);
  const pages = [...byUrl].map(([url, b]) => ({ url, s: b[0]! + v.support * b.slice(1, 1 + v.supportChunks).reduce((a, x) => a + x, 0) }));
  const top = Math.max(1e-9, ...pages.map((p) => p.s));
  return pages.map((p) => ({ url: p.url, s: p.s / top })).sort((a, b) => b.s - a.s);
}

/** Corrections as the evaluation gives them: a training question whose first page is wrong → (cited pages ≻ right page). */
function pairsOf(questions: Scored[], v: Variant, candidates: number): Map<Scored, Map<string, number>> {
  const out = new Map<Scored, Map<string, number>>();
  for (const q of questions) {
    const pages = pagesUnder(q, v, candidates);
    if (!pages.length || pages[0]!.url === q.url) continue;
    const m = new Map<string, number>();
    // The first page was the wrong answer; the other cited pages count half.
    pages.slice(0, 3).forEach((p, i) => p.url !== q.url && m.set(`${p.url}>${q.url}`, i === 0 ? 1 : 0.5));
    out.set(q, m);
  }
  return out;
}

function rankWithPairs(pages: Ranked, pairs: Map<string, number>, weight: number): Ranked {
  if (!weight || !pairs.size) return pages;
  return pages
    .map((p) => {
      let adjust = 0;
      for (const o of pages) if (o !== p) adjust += ((pairs.get(`${o.url}>${p.url}`) ?? 0) - (pairs.get(`${p.url}>${o.url}`) ?? 0)) * Math.min(p.s, o.s);
      return { url: p.url, s: p.s + weight * adjust };
    })
    .sort((a, b) => b.s - a.s);
}

export async function rankingWhatIf(set: EvalSet): Promise<WhatIf> {
  const params = chatbotParams.parse({});
  const rows = set.documents.map((d) => ({ url: d.url, title: d.title, text: d.text }));
  const { patch } = await updateIndex(emptyIndexState(), rows, { chunkSize: params.chunkSize, embedder: hashedEmbedder(params.embeddingDims) });
  const view = indexView({ ...emptyIndexState(), ...patch } as unknown as State);
  const scored: Scored[] = set.questions.map((x) => {
    const vector = view.dims ? weightQuery(hashedEmbed(x.q, view.dims), view.vectorIdf ?? new Float32Array(view.dims).fill(1)) : null;
    // Many candidates, so each variant can cut its own best `candidates` chunks.
    const candidates = retrieve(view, { text: x.q, vector }, { candidates: 10 * params.candidates, vectorWeight: params.vectorWeight, minSimilarity: params.minSimilarity });
    return { url: x.url, split: x.split, chunks: candidates.map((c) => ({ url: c.chunk.url, lex: c.lex, vec: c.vec })) };
  });
  const train = scored.filter((q) => q.split === "train");
  const heldout = scored.filter((q) => q.split === "heldout");
  const shippedVariant: Variant = { vectorWeight: params.vectorWeight, support: SUPPORT, supportChunks: Infinity, confusion: 0 };

  const pairsCache = new Map<string, Map<Scored, Map<string, number>>>();
  const measure = (v: Variant): VariantScore => {
    const fusionKey = `${v.vectorWeight}/${v.support}/${v.supportChunks}`;
    let pairs = pairsCache.get(fusionKey);
    if (!pairs) pairsCache.set(fusionKey, (pairs = pairsOf(train, v, params.candidates)));
    const all = new Map<string, number>();
    for (const m of pairs.values()) for (const [k, n] of m) all.set(k, (all.get(k) ?? 0) + n);
    const without = (q: Scored) => {
      const own = pairs.get(q);
      if (!own) return all;
      const m = new Map(all);
      for (const [k, n] of own) m.set(k, m.get(k)! - n);
      return m;
    };
    const hit = (qs: Scored[], loo: boolean) =>
      qs.filter((q) => rankWithPairs(pagesUnder(q, v, params.candidates), loo ? without(q) : all, v.confusion)[0]?.url === q.url).length / (qs.length || 1);
    return { variant: v, train: hit(train, true), heldout: hit(heldout, false) };
  };

  const grid: Variant[] = [];
  for (const vectorWeight of [0.15, 0.3, 0.5, 1]) {
    for (const support of [0, 0.15, 0.3, 0.5, 1]) {
      for (const supportChunks of [1, 2, 3, Infinity]) {
        for (const confusion of [0, 0.1, 0.2, 0.3, 0.5, 1]) grid.push({ vectorWeight, support, supportChunks, confusion });
      }
    }
  }
  const same = (a: Variant, b: Variant) => a.vectorWeight === b.vectorWeight && a.support === b.support && a.supportChunks === b.supportChunks && a.confusion === b.confusion;
  const scores = grid.map(measure);
  const shipped = scores.find((s) => same(s.variant, shippedVariant)) ?? measure(shippedVariant);
  const best = (list: VariantScore[], key: "train" | "heldout") => list.reduce((a, b) => (b[key] > a[key] ? b : a), shipped);
  const family = (name: string, keep: (v: Variant) => boolean) => {
    const list = scores.filter((s) => keep(s.variant));
    return { name, chosen: best(list, "train"), ceiling: best(list, "heldout") };
  };
  const s = shippedVariant;
  return {
    shipped,
    chosen: best(scores, "train"),
    ceiling: best(scores, "heldout"),
    families: [
      family("fusion (vector weight, support)", (v) => v.supportChunks === Infinity && v.confusion === 0),
      family("support from at most n other chunks", (v) => v.vectorWeight === s.vectorWeight && v.support === s.support && v.confusion === 0),
      family("confusion pairs from corrections", (v) => v.vectorWeight === s.vectorWeight && v.support === s.support && v.supportChunks === Infinity),
    ],
    variants: scores.length,
  };
}

export function describeVariant(v: Variant): string {
  return `vector ${v.vectorWeight}, support ${v.support} × ${v.supportChunks === Infinity ? "all" : `≤${v.supportChunks}`} other chunks, confusion pairs ${v.confusion}`;
}
