// The lexical side of retrieval: BM25 (MiniSearch's BM25+) over the chunks' title, section
// path and text, with this package's tokeniser (identifiers split, stop words dropped, Porter
// stems). The index lives in state as one binary value — MiniSearch's own JSON, UTF-8 — so a
// documents fit loads the previous version's index, removes the replaced documents' chunks,
// adds the new ones and stores it again; infer loads it once per state version.

import MiniSearch, { type Options, type SearchOptions } from "minisearch";
import { isStopWord, stem, words } from "./text.ts";

export const LEXICAL_ENGINE = "minisearch-7.2-bm25";

export interface LexicalChunk {
  /** `${url}#${ord}`: unique within the index. */
  id: string;
  title: string;
  /** The heading path below the title. */
  section: string;
  text: string;
}

const FIELDS = ["title", "section", "text"];

/** Field weights: equal (heavier headings ranked the training questions worse, see README). */
export const FIELD_BOOST = { title: 1, section: 1, text: 1 };

const options: Options<LexicalChunk> = {
  idField: "id",
  fields: FIELDS,
  storeFields: [],
  tokenize: (text) => words(text),
  processTerm: (term) => (isStopWord(term) ? null : stem(term)),
  autoVacuum: false,
};

const searchOptions: SearchOptions = { boost: FIELD_BOOST, combineWith: "OR", prefix: false, fuzzy: false };

export type LexicalIndex = MiniSearch<LexicalChunk>;

export function emptyLexical(): LexicalIndex {
  return new MiniSearch(options);
}

export function serialiseLexical(index: LexicalIndex): Buffer {
  return Buffer.from(JSON.stringify(index), "utf8");
}

export function loadLexical(bytes: Uint8Array): LexicalIndex {
  return MiniSearch.loadJSON(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"), options);
}

export interface LexicalHit {
  id: string;
  score: number;
  /** Query terms (processed) that matched the chunk. */
  terms: string[];
}

/** The best `n` chunks for a question, BM25 score first. */
export function searchLexical(index: LexicalIndex, query: string, n: number): LexicalHit[] {
  if (index.documentCount === 0) return [];
  return index
    .search(query, searchOptions)
    .slice(0, n)
    .map((r) => ({ id: String(r.id), score: r.score, terms: r.terms }));
}
