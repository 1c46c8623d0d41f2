// Tokenisation shared by the lexical embedder, the reranker's features and the extractive
// answerer. Deliberately small: lowercase word pieces, a stop list, and a light suffix stemmer
// so "rolls back", "rolled back" and "rollback" land near each other.

const STOP = new Set(
  (
    "a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its " +
    "me my no not of on or our so than that the their them then there these they this those to too was we were what " +
    "when where which while who whom why will with would you your yours should shall may might must just also about " +
    "after before over under again once here all any both each few more most other some such only own same very s t " +
    "get gets use used using happen happens"
  ).split(" "),
);

/** Lowercase words and identifiers; camelCase and dotted names also yield their parts. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*|[0-9]+/g)) {
    const raw = match[0];
    const lower = raw.toLowerCase();
    out.push(lower);
    if (raw.includes(".") || /[a-z][A-Z]/.test(raw) || raw.includes("_")) {
      for (const part of raw.split(/[._]|(?<=[a-z0-9])(?=[A-Z])/)) if (part) out.push(part.toLowerCase());
    }
  }
  return out;
}

/** A crude suffix stemmer: enough to merge plural/tense variants for retrieval. */
export function stem(word: string): string {
  if (word.length <= 3 || /[0-9.]/.test(word)) return word;
  if (word.endsWith("ss")) return word;
  for (const suffix of ["ations", "ation", "ings", "ing", "ies", "ied", "ers", "ed", "es", "er", "s", "ly"]) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      return suffix === "ies" || suffix === "ied" ? `${base}y` : base;
    }
  }
  return word;
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

/**
 * Sentences of a markdown chunk. Soft-wrapped lines are joined; list items, headings and table
 * rows start new units; fenced code is skipped.
 */
export function sentences(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fenced = false;
  const flush = () => {
    if (current.length) blocks.push(current.join(" "));
    current = [];
  };
  for (const line of text.split(/\n/)) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      flush();
      continue;
    }
    if (fenced) continue;
    const trimmed = line.trim();
    if (!trimmed || /^\|?\s*-{3,}/.test(trimmed)) {
      flush();
      continue;
    }
    if (/^(?:[-*+]|\d+\.|#+|>|\|)\s*/.test(trimmed)) flush();
    current.push(trimmed.replace(/^(?:[-*+]|\d+\.|#+|>)\s+/, ""));
  }
  flush();
  const out: string[] = [];
  for (const block of blocks) {
    for (const s of block.split(/(?<=[.!?])\s+(?=[A-Z`(*])/)) if (s.trim().length > 2) out.push(s.trim());
  }
  return out;
}
