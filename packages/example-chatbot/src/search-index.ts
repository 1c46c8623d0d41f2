// The retrieval index kept in the trigger's state, and its per-version view for infer.
//
// State keys: `index` (what built it, counts), `chunks` (metadata and markdown of every chunk,
// JSON), `lexical` (the BM25 index, MiniSearch JSON as a Buffer), `vectors` (row-major
// Float32Array, one row per chunk: hashed trigram vectors offline, provider embeddings with
// OpenAI) and `vectorIdf` (per-bucket idf of the hashed vectors). A documents fit loads the
// previous version, replaces the chunks of the documents it received (by url, so a page is
// never indexed twice) and returns the new values as a patch. Infer builds one view per state
// version (loading the BM25 index, copying the vectors out of the read-only proxies) and
// reuses it for every question on that version.

import type { State, StatePatch } from "@motion/engine";
import { chunkBlocks } from "./chunker.ts";
import { bucketIdf, hashedEmbed, HASHED_EMBEDDER } from "./embeddings.ts";
import { emptyLexical, LEXICAL_ENGINE, loadLexical, serialiseLexical, type LexicalChunk, type LexicalIndex } from "./lexical-index.ts";
import { firstHeading, parseBlocks } from "./markdown.ts";
import { terms } from "./text.ts";

export interface ChunkMeta {
  url: string;
  title: string;
  /** "Title › Section › Subsection". */
  section: string;
  ord: number;
  text: string;
}

export interface IndexInfo {
  /** The lexical engine and tokeniser that built `lexical`. */
  lexical: string;
  /** The vector space of `vectors`: `hashed-char3-v1/1024` or `openai/text-embedding-3-small`. */
  vectors: string;
  dims: number;
  documents: number;
  chunks: number;
}

/** How chunks (and questions) become vectors: the offline hashed embedder or a provider's model. */
export interface Embedder {
  /** Names the vector space; a different name means every chunk is embedded again. */
  space: string;
  /** Whether the query is weighted by the index's per-bucket idf (hashed vectors). */
  hashed: boolean;
  embed(texts: string[]): Promise<Float32Array[]>;
}

export function hashedEmbedder(dims: number): Embedder {
  return { space: `${HASHED_EMBEDDER}/${dims}`, hashed: true, embed: async (texts) => texts.map((t) => hashedEmbed(t, dims)) };
}

export interface DocumentRow {
  url: string;
  title?: string;
  text: string;
}

export function emptyIndexState(): State {
  const info: IndexInfo = { lexical: LEXICAL_ENGINE, vectors: "none", dims: 0, documents: 0, chunks: 0 };
  return { index: info as unknown as State[string], chunks: [] };
}

/**
 * State migration 1 → 2 of `docs-qa`: schema 1 states (written before the BM25 index was kept in
 * state, or by another lexical engine) get a stored `lexical` index built from their chunks, so
 * infer no longer rebuilds it in every process for that version. Other keys are kept as they are.
 */
export function storeLexicalIndex(state: Readonly<State>): State {
  const info = state.index as unknown as IndexInfo;
  if (toBuffer(state.lexical) && info.lexical === LEXICAL_ENGINE) return { ...state };
  const chunks = (state.chunks ?? []) as unknown as ChunkMeta[];
  const lexical = emptyLexical();
  lexical.addAll(chunks.map(lexicalDoc));
  return { ...state, index: { ...info, lexical: LEXICAL_ENGINE } as unknown as State[string], lexical: serialiseLexical(lexical) };
}

export function chunkId(c: Pick<ChunkMeta, "url" | "ord">): string {
  return `${c.url}#${c.ord}`;
}

/** The heading path below the document's title ("Usage › Options"). */
export function sectionBelowTitle(c: Pick<ChunkMeta, "title" | "section">): string {
  const parts = c.section.split(" › ");
  return (parts[0]?.toLowerCase() === c.title.toLowerCase() ? parts.slice(1) : parts).join(" › ");
}

export function lexicalDoc(c: ChunkMeta): LexicalChunk {
  return { id: chunkId(c), title: c.title, section: sectionBelowTitle(c), text: c.text };
}

function embedText(c: ChunkMeta): string {
  return `${c.section}\n${c.text}`;
}

function toBuffer(value: unknown): Uint8Array | null {
  return value instanceof Uint8Array ? value : null;
}

export interface IndexUpdate {
  patch: StatePatch;
  metrics: Record<string, number>;
}

/**
 * The documents fit: chunk each document on its markdown structure, replace its chunks in the
 * BM25 index and the vectors, and return the new state values. The last row for a url wins.
 */
export async function updateIndex(state: Readonly<State>, rows: DocumentRow[], options: { chunkSize: number; embedder: Embedder }): Promise<IndexUpdate> {
  const started = performance.now();
  const info = state.index as unknown as IndexInfo;
  const previous = (state.chunks ?? []) as unknown as ChunkMeta[];
  const latest = new Map<string, DocumentRow>();
  for (const row of rows) latest.set(row.url, row);

  // The lexical index: the previous version's, unless it was built by another engine/tokeniser.
  const stored = toBuffer(state.lexical);
  const loaded = stored !== null && info.lexical === LEXICAL_ENGINE;
  const lexical = loaded ? loadLexical(stored) : emptyLexical();
  const kept: number[] = [];
  previous.forEach((c, i) => {
    if (!latest.has(c.url)) kept.push(i);
    else if (loaded) lexical.remove(lexicalDoc(c));
  });
  if (!loaded) lexical.addAll(kept.map((i) => lexicalDoc(previous[i]!)));

  // Chunk the new documents.
  let parseMs = 0;
  const added: ChunkMeta[] = [];
  for (const row of latest.values()) {
    const t = performance.now();
    const blocks = parseBlocks(row.text);
    parseMs += performance.now() - t;
    const title = row.title?.trim() || firstHeading(blocks) || row.url;
    for (const c of chunkBlocks(blocks, title, options)) added.push({ url: row.url, title, section: c.section, ord: c.ord, text: c.text });
  }
  lexical.addAll(added.map(lexicalDoc));

  // Vectors: kept rows are copied unless the vector space changed, then everything is embedded.
  const embedder = options.embedder;
  const oldVectors = state.vectors instanceof Float32Array ? state.vectors : null;
  const sameSpace = info.vectors === embedder.space && oldVectors !== null;
  const chunks = [...kept.map((i) => previous[i]!), ...added];
  const toEmbed = sameSpace ? added : chunks;
  const fresh = toEmbed.length ? await embedder.embed(toEmbed.map(embedText)) : [];
  const dims = fresh[0]?.length ?? (sameSpace ? info.dims : 0);
  if (fresh.some((v) => v.length !== dims)) throw new Error(`the embedder ${embedder.space} returned vectors of different widths`);
  const vectors = new Float32Array(chunks.length * dims);
  let row = 0;
  if (sameSpace) {
    for (const i of kept) vectors.set(oldVectors.subarray(i * dims, (i + 1) * dims), row++ * dims);
  }
  for (const v of fresh) vectors.set(v, row++ * dims);

  const documents = new Set(chunks.map((c) => c.url)).size;
  const nextInfo: IndexInfo = { lexical: LEXICAL_ENGINE, vectors: embedder.space, dims, documents, chunks: chunks.length };
  const patch: StatePatch = {
    index: nextInfo as unknown as StatePatch[string],
    chunks: chunks as unknown as StatePatch[string],
    lexical: serialiseLexical(lexical),
    vectors,
    vectorIdf: embedder.hashed ? bucketIdf(vectors, chunks.length, dims) : undefined,
  };
  return {
    patch,
    metrics: {
      documents: latest.size,
      chunksAdded: added.length,
      chunksRemoved: previous.length - kept.length,
      chunksEmbedded: toEmbed.length,
      indexChunks: chunks.length,
      indexDocuments: documents,
      lexicalRebuilt: !loaded && kept.length ? 1 : 0,
      parseMs: Math.round(parseMs),
      fitMs: Math.round(performance.now() - started),
    },
  };
}

/** What infer reads, built once per state version. */
export interface IndexView {
  info: IndexInfo;
  chunks: readonly ChunkMeta[];
  /** Chunk id → row in `chunks` and `vectors`. */
  rowOf: Map<string, number>;
  lexical: LexicalIndex;
  vectors: Float32Array;
  dims: number;
  vectorIdf: Float32Array | null;
  /** Content terms of a chunk's section path and text, computed on first use. */
  termsOf(row: number): ReadonlySet<string>;
  /** Content terms of a chunk's title and of its section below the title. */
  headingTermsOf(row: number): { title: ReadonlySet<string>; section: ReadonlySet<string> };
}

const views = new WeakMap<object, IndexView>();

export function indexView(state: Readonly<State>): IndexView {
  const cached = views.get(state);
  if (cached) return cached;
  const info = state.index as unknown as IndexInfo;
  const chunks = (state.chunks ?? []) as unknown as ChunkMeta[];
  const stored = toBuffer(state.lexical);
  let lexical: LexicalIndex;
  if (stored && info.lexical === LEXICAL_ENGINE) lexical = loadLexical(stored);
  else {
    // A state written by an older version of this app: build the index once for this version.
    lexical = emptyLexical();
    lexical.addAll(chunks.map(lexicalDoc));
  }
  // Typed arrays in infer are read-only proxies; scoring reads every element, so copy once.
  const copy = (v: unknown) => (v instanceof Float32Array ? v.slice() : null);
  const vectors = copy(state.vectors) ?? new Float32Array(0);
  const bodyTerms = new Map<number, Set<string>>();
  const headingTerms = new Map<number, { title: Set<string>; section: Set<string> }>();
  const dims = chunks.length && vectors.length === chunks.length * info.dims ? info.dims : 0;
  const view: IndexView = {
    info,
    chunks,
    rowOf: new Map(chunks.map((c, i) => [chunkId(c), i])),
    lexical,
    vectors: dims ? vectors : new Float32Array(0),
    dims,
    vectorIdf: copy(state.vectorIdf),
    termsOf: (row) => {
      let t = bodyTerms.get(row);
      if (!t) bodyTerms.set(row, (t = new Set(terms(`${chunks[row]!.section}\n${chunks[row]!.text}`))));
      return t;
    },
    headingTermsOf: (row) => {
      let t = headingTerms.get(row);
      if (!t) {
        const c = lexicalDoc(chunks[row]!);
        headingTerms.set(row, (t = { title: new Set(terms(c.title)), section: new Set(terms(c.section)) }));
      }
      return t;
    },
  };
  views.set(state, view);
  return view;
}
