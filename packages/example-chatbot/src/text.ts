// Tokenising shared by the lexical index, the hashed vectors, the reranker's features and the
// extractive answerer: lowercase words and identifiers (camelCase and dotted names also yield
// their parts), a small stop list, and the Porter stemmer (the `stemmer` package) so "rolled
// back", "rolls back" and "rollback" meet.

import { stemmer } from "stemmer";

const STOP = new Set(
  (
    "a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its " +
    "me my no not of on or our so than that the their them then there these they this those to too was we were what " +
    "when where which while who whom why will with would you your yours should shall may might must just also about " +
    "after before over under again once here all any both each few more most other some such only own same very s t " +
    "get gets use used using want wants need needs way possible make makes like e g"
  ).split(" "),
);

// British spellings common in technical writing, mapped to the American ones most READMEs use
// ("serialise" → "serialize", "colour" → "color"), so either spelling finds the other.
const OUR = new Set("colour behaviour favour flavour honour humour labour neighbour rumour vapour harbour armour odour savour endeavour".split(" "));
const ISE_EXCEPTIONS = new Set(
  ("promise exercise otherwise raise precise advise wise noise expertise enterprise premise surprise compromise concise " +
    "rise arise franchise merchandise supervise televise revise devise comprise disguise despise praise cruise incise excise " +
    "paradise bruise poise treatise reprise guise anise mortise clockwise likewise lengthwise stepwise pairwise elementwise " +
    "bitwise case base else false these those else noise vise").split(" "),
);

function american(word: string): string {
  const our = /^([a-z]+our)(s|ed|ing|ful|able|ite|ites)?$/.exec(word);
  if (our && OUR.has(our[1]!)) return `${our[1]!.slice(0, -2)}r${our[2] ?? ""}`;
  const ise = /^([a-z]{3,})is(e|es|ed|ing|ation|ations|er|ers)$/.exec(word);
  if (ise && !ISE_EXCEPTIONS.has(`${ise[1]}ise`)) return `${ise[1]}iz${ise[2]}`;
  if (word === "licence" || word === "licences") return word.replace("licence", "license");
  if (word === "analyse" || word === "analysed" || word === "analyses" || word === "analysing") return word.replace("analys", "analyz");
  if (/^(centre|metre|fibre)s?$/.test(word)) return word.replace(/re(s?)$/, "er$1");
  if (/^catalogues?$/.test(word)) return word.replace("catalogue", "catalog");
  return word;
}

/** Lowercase words and identifiers; camelCase, snake_case and dotted names also yield their parts. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*|[0-9]+/g)) {
    const raw = match[0];
    out.push(american(raw.toLowerCase()));
    if (raw.includes(".") || /[a-z][A-Z]/.test(raw) || raw.includes("_")) {
      for (const part of raw.split(/[._]|(?<=[a-z0-9])(?=[A-Z])/)) if (part && part.length > 1) out.push(part.toLowerCase());
    }
  }
  return out;
}

const stems = new Map<string, string>();

/** Porter stem of a lowercase word; identifiers with dots or digits are kept as they are. */
export function stem(word: string): string {
  if (word.length <= 3 || /[0-9._]/.test(word)) return word;
  let s = stems.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stems.size < 200_000) stems.set(word, s);
  }
  return s;
}

export function isStopWord(word: string): boolean {
  return STOP.has(word);
}

/** Content terms: stemmed words without stop words. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP.has(w)) out.push(stem(w));
  return out;
}

/** Adjacent content-term pairs ("state version", "fit run"). */
export function bigrams(ts: string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < ts.length; i++) out.push(`${ts[i - 1]} ${ts[i]}`);
  return out;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Sentences of a piece of prose (Intl.Segmenter, which knows "e.g." and "v1.2.3"). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    const s = segment.trim();
    if (s) out.push(s);
  }
  return out;
}

/** Cosine similarity of two texts' content-term counts (for near-duplicate questions). */
export function termCosine(a: string, b: string): number {
  const count = (text: string) => {
    const m = new Map<string, number>();
    for (const t of terms(text)) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  };
  const x = count(a);
  const y = count(b);
  let dot = 0;
  for (const [t, n] of x) dot += n * (y.get(t) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((acc, n) => acc + n * n, 0));
  const d = norm(x) * norm(y);
  return d ? dot / d : 0;
}
