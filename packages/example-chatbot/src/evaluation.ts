// The chatbot's evaluation: page hit@1/hit@3 on held-out questions before and after operators
// label a separate training set, with BM25 over the same chunks measured in the same run.
//
// hit@k: the right page is among the first k distinct pages, in the order the sources are
// cited (the chatbot) or the chunks are ranked (BM25). Labels are given the way an operator
// gives them, with the correction the console's form sends (only the changed fields): good
// when the first source is the right page, otherwise bad with `{ source: <right page> }`.
// Through a `Labeler`: `npm run eval` (apps/worker/src/chatbot-eval) passes one that calls the
// API procedure the console's Review page calls (this package may not import the API); the
// default calls `Motion.feedback`, which that procedure calls.

import fs from "node:fs";
import MiniSearch from "minisearch";
import { Motion } from "@motion/engine";
import { chatbotApp, chatbotParams, TRIGGER, type AnswerOutput } from "./app.ts";
import { chunkBlocks } from "./chunker.ts";
import { loadCorpus, type CorpusDocument } from "./corpus.ts";
import { emptyLexical, searchLexical } from "./lexical-index.ts";
import { firstHeading, parseBlocks } from "./markdown.ts";
import { terms } from "./text.ts";
import { loadPackageCorpus, packageUrl } from "./package-corpus.ts";
import { chunkId, lexicalDoc } from "./search-index.ts";

export interface EvalQuestion {
  q: string;
  /** The page that answers it. */
  url: string;
  split: "train" | "heldout";
  /** Terms the passage that answers it contains (API and option names): evidence of a good answer. */
  expect?: string[];
}

export interface EvalSet {
  name: string;
  documents: CorpusDocument[];
  questions: EvalQuestion[];
  /** Notes to print (e.g. package versions that differ from those the questions were written for). */
  notes: string[];
}

const PACKAGES_FILE = new URL("../eval/packages.json", import.meta.url);
const DOCS_FILE = new URL("../eval/questions.json", import.meta.url);

interface PackagesFile {
  packages: string[];
  versions: Record<string, string>;
  questions: { q: string; package: string; split: "train" | "heldout"; expect: string[] }[];
}

function checkSplit(questions: EvalQuestion[]): EvalQuestion[] {
  const train = new Set(questions.filter((x) => x.split === "train").map((x) => x.q.toLowerCase()));
  const leaked = questions.filter((x) => x.split === "heldout" && train.has(x.q.toLowerCase()));
  if (leaked.length) throw new Error(`held-out questions also in the training set: ${leaked.map((x) => x.q).join("; ")}`);
  return questions;
}

/**
 * READMEs of the npm packages named in eval/packages.json, read from node_modules. `only`
 * keeps the first n packages and their questions (the small fixed case of the tests).
 */
export function packagesEval(only?: number): EvalSet {
  const file = JSON.parse(fs.readFileSync(PACKAGES_FILE, "utf8")) as PackagesFile;
  const names = only ? file.packages.slice(0, only) : file.packages;
  const corpus = loadPackageCorpus(names, file.versions);
  const questions = file.questions
    .filter((x) => names.includes(x.package))
    .map((x) => ({ q: x.q, url: packageUrl(x.package), split: x.split, expect: x.expect }));
  const notes = corpus.mismatched.map((m) => `${m.name} is installed at ${m.found}; the questions were written for ${m.expected}`);
  return { name: `npm package READMEs (${names.length} packages)`, documents: corpus.documents, questions: checkSplit(questions), notes };
}

/** Motion's own docs (docs/*.md) with eval/questions.json: the corpus `npm start` shows. */
export function docsEval(): EvalSet {
  const file = JSON.parse(fs.readFileSync(DOCS_FILE, "utf8")) as { train: { q: string; url: string }[]; heldout: { q: string; url: string }[] };
  const questions = [
    ...file.train.map((x) => ({ ...x, split: "train" as const })),
    ...file.heldout.map((x) => ({ ...x, split: "heldout" as const })),
  ];
  return { name: "Motion's docs/*.md", documents: loadCorpus(), questions: checkSplit(questions), notes: [] };
}

export interface Score {
  questions: number;
  hitAt1: number;
  hitAt3: number;
  mrr: number;
}

export interface SetScore extends Score {
  /** Share of answers containing an expected evidence term (questions that list some). */
  evidence: number | null;
  /** Answers served from an operator correction (must stay 0 on held-out questions). */
  fromCorrections: number;
  misses: { q: string; expected: string; got: string[] }[];
}

function scoreRankings(questions: EvalQuestion[], rankings: string[][]): Score {
  let h1 = 0;
  let h3 = 0;
  let rr = 0;
  questions.forEach((x, i) => {
    const pages = rankings[i]!;
    if (pages[0] === x.url) h1++;
    if (pages.slice(0, 3).includes(x.url)) h3++;
    const at = pages.indexOf(x.url);
    if (at >= 0) rr += 1 / (at + 1);
  });
  const n = questions.length || 1;
  return { questions: questions.length, hitAt1: h1 / n, hitAt3: h3 / n, mrr: rr / n };
}

function distinct(urls: string[]): string[] {
  return [...new Set(urls)];
}

/** The same chunks the chatbot indexes (same parser, chunker and params), as plain records. */
function chunksOf(documents: CorpusDocument[], chunkSize: number) {
  return documents.flatMap((d) => {
    const blocks = parseBlocks(d.text);
    const title = d.title?.trim() || firstHeading(blocks) || d.url;
    return chunkBlocks(blocks, title, { chunkSize }).map((c) => ({ url: d.url, title, section: c.section, ord: c.ord, text: c.text }));
  });
}

/**
 * Reference rankers over the same chunks: BM25 as MiniSearch ships it (default tokeniser, no
 * stemming, no stop words; one field holding the heading path and the text) — the reference
 * the issue asks for — and the chatbot's own BM25 alone (its tokeniser and field weights).
 */
export function referenceRankers(documents: CorpusDocument[], chunkSize: number): { bm25: (q: string) => string[]; lexical: (q: string) => string[] } {
  const chunks = chunksOf(documents, chunkSize);
  const urlOf = new Map(chunks.map((c) => [chunkId(c), c.url]));
  const plain = new MiniSearch<{ id: string; body: string }>({ fields: ["body"], idField: "id" });
  plain.addAll(chunks.map((c) => ({ id: chunkId(c), body: `${c.section}\n${c.text}` })));
  const lexical = emptyLexical();
  lexical.addAll(chunks.map(lexicalDoc));
  return {
    bm25: (q) => distinct(plain.search(q).map((r) => urlOf.get(String(r.id))!)),
    lexical: (q) => distinct(searchLexical(lexical, q, 200).map((h) => urlOf.get(h.id)!)),
  };
}

async function ask(motion: Motion, questions: EvalQuestion[]): Promise<{ score: SetScore; outputs: { inferenceId: string; output: AnswerOutput }[] }> {
  const results = await motion.addMany("questions", questions.map((x) => ({ text: x.q, askedBy: "evaluation" })));
  const outputs = results.map((r, i) => {
    const inference = r.inferences.find((x) => x.trigger === TRIGGER)!;
    if (inference.error) throw new Error(`infer failed on "${questions[i]!.q}": ${inference.error}`);
    return { inferenceId: inference.id, output: inference.output as AnswerOutput };
  });
  const rankings = outputs.map((o) => distinct(o.output.sources.map((s) => s.url)));
  const withEvidence = questions.map((x, i) => ({ x, answer: outputs[i]!.output.answer.toLowerCase() })).filter(({ x }) => x.expect?.length);
  const evidence = withEvidence.length ? withEvidence.filter(({ x, answer }) => x.expect!.some((e) => answer.includes(e.toLowerCase()))).length / withEvidence.length : null;
  const misses = questions.flatMap((x, i) => (rankings[i]![0] === x.url ? [] : [{ q: x.q, expected: x.url, got: rankings[i]!.slice(0, 3) }]));
  return {
    score: { ...scoreRankings(questions, rankings), evidence, fromCorrections: outputs.filter((o) => o.output.correctedFrom).length, misses },
    outputs,
  };
}

export interface EvalResult {
  set: string;
  provider: string;
  documents: number;
  chunks: number;
  notes: string[];
  reference: { bm25: { heldout: Score; train: Score }; lexical: { heldout: Score; train: Score } };
  before: { heldout: SetScore; train: SetScore };
  after: { heldout: SetScore; train: SetScore };
  labels: { good: number; bad: number; through: string };
  transfer: Transfer;
  versions: { indexed: number; afterFeedback: number };
  seconds: { ingest: number; questions: number; feedbackFit: number };
  /** What the feedback fit reported (vote weight, fusion, reranker, labeled hit@1s). */
  feedbackFit: Record<string, number>;
}

export interface EvalOptions {
  databaseUrl: string;
  set: EvalSet;
  /** Who labels the training answers (default: engineLabeler). */
  labeler?: (motion: Motion) => Promise<Labeler> | Labeler;
  /** Named in the result: how the labels were given. */
  labeledThrough?: string;
}

/** How the evaluation labels an answer: the input of the API's `feedback.label`. */
export interface Labeler {
  label(input: { inferenceId: string; label: "good" | "bad"; correction?: { source: string }; note?: string }): Promise<unknown>;
}

/** Labels with `Motion.feedback` (what the API's `feedback.label` calls), as "evaluation". */
export function engineLabeler(motion: Motion): Labeler {
  return { label: ({ inferenceId, ...rest }) => motion.feedback(inferenceId, { ...rest, actor: "evaluation" }) };
}

/**
 * 1. index the documents; 2. rank every question with the references and ask the chatbot;
 * 3. label the training answers as an operator would; 4. after the feedback fit, ask again.
 */
export async function runEvaluation(options: EvalOptions): Promise<EvalResult> {
  const { set } = options;
  const heldout = set.questions.filter((x) => x.split === "heldout");
  const train = set.questions.filter((x) => x.split === "train");
  const motion = await Motion.open({ app: chatbotApp, databaseUrl: options.databaseUrl });
  try {
    const params = chatbotParams.parse(motion.paramsOf(TRIGGER).params);
    let t = performance.now();
    await motion.addMany("documents", set.documents);
    await motion.flush();
    const ingest = (performance.now() - t) / 1000;
    const indexed = motion.activeVersion(TRIGGER);

    const refs = referenceRankers(set.documents, params.chunkSize);
    const reference = {
      bm25: { heldout: scoreRankings(heldout, heldout.map((x) => refs.bm25(x.q))), train: scoreRankings(train, train.map((x) => refs.bm25(x.q))) },
      lexical: { heldout: scoreRankings(heldout, heldout.map((x) => refs.lexical(x.q))), train: scoreRankings(train, train.map((x) => refs.lexical(x.q))) },
    };

    t = performance.now();
    const heldoutBefore = await ask(motion, heldout);
    const trainBefore = await ask(motion, train);
    const questionSeconds = (performance.now() - t) / 1000;
    const labeler = await (options.labeler ?? engineLabeler)(motion);
    const labels = { good: 0, bad: 0 };
    for (const [i, { inferenceId, output }] of trainBefore.outputs.entries()) {
      const right = train[i]!.url;
      if (output.sources[0]?.url === right) {
        await labeler.label({ inferenceId, label: "good" });
        labels.good++;
      } else {
        await labeler.label({ inferenceId, label: "bad", correction: { source: right }, note: `should cite ${right}` });
        labels.bad++;
      }
    }
    t = performance.now();
    await motion.flush();
    const feedbackFit = (performance.now() - t) / 1000;
    const afterFeedback = motion.activeVersion(TRIGGER);
    const fits = await motion.fitRuns({ trigger: TRIGGER, limit: 20 });
    const feedbackRun = fits.items.find((f) => f.route === "feedback" && f.metrics);
    const heldoutAfter = await ask(motion, heldout);
    const trainAfter = await ask(motion, train);
    const first = heldoutBefore.outputs[0]?.output;
    const transfer = transferOf(train, heldout.filter((x) => heldoutBefore.score.misses.some((m) => m.q === x.q)));
    return {
      set: set.name,
      provider: first?.provider ?? "unknown",
      documents: first?.index.documents ?? 0,
      chunks: first?.index.chunks ?? 0,
      notes: set.notes,
      reference,
      before: { heldout: heldoutBefore.score, train: trainBefore.score },
      after: { heldout: heldoutAfter.score, train: trainAfter.score },
      labels: { ...labels, through: options.labeledThrough ?? "Motion.feedback" },
      transfer,
      versions: { indexed, afterFeedback },
      feedbackFit: feedbackRun?.metrics ?? {},
      seconds: { ingest, questions: questionSeconds, feedbackFit },
    };
  } finally {
    await motion.close();
  }
}

/**
 * How much labels on the training questions could teach about the held-out questions missed
 * before labels, by the words they share (a diagnostic: it reads the misses, it tunes nothing).
 * A miss can be fixed by query-term → page associations only if it shares a content term with
 * a training question whose right page is its own; only a term no other page's training
 * questions use points at that page alone.
 */
export interface Transfer {
  misses: number;
  /** Misses sharing a content term with a training question on the same page. */
  sharedTerm: number;
  /** Misses sharing a term that only training questions on the same page have. */
  specificTerm: number;
}

export function transferOf(train: EvalQuestion[], missed: EvalQuestion[]): Transfer {
  const byPage = new Map<string, Set<string>>();
  for (const x of train) {
    const set = byPage.get(x.url) ?? new Set<string>();
    for (const t of terms(x.q)) set.add(t);
    byPage.set(x.url, set);
  }
  let sharedTerm = 0;
  let specificTerm = 0;
  for (const x of missed) {
    const own = byPage.get(x.url) ?? new Set<string>();
    const shared = [...new Set(terms(x.q))].filter((t) => own.has(t));
    if (shared.length) sharedTerm++;
    if (shared.some((t) => ![...byPage].some(([url, set]) => url !== x.url && set.has(t)))) specificTerm++;
  }
  return { misses: missed.length, sharedTerm, specificTerm };
}

/** The targets of issue #11, checked on the held-out half. */
export function targets(r: EvalResult): { name: string; ok: boolean }[] {
  const b = r.before.heldout;
  const ref = r.reference.bm25.heldout;
  return [
    { name: `before labels, hit@1 ≥ BM25 (${pct(b.hitAt1)} vs ${pct(ref.hitAt1)})`, ok: b.hitAt1 >= ref.hitAt1 },
    { name: `before labels, hit@3 ≥ BM25 (${pct(b.hitAt3)} vs ${pct(ref.hitAt3)})`, ok: b.hitAt3 >= ref.hitAt3 },
    { name: `after labels, hit@1 ≥ 90% (${pct(r.after.heldout.hitAt1)})`, ok: r.after.heldout.hitAt1 >= 0.9 },
    { name: `after labels, hit@1 ≥ before (${pct(r.after.heldout.hitAt1)} vs ${pct(b.hitAt1)})`, ok: r.after.heldout.hitAt1 >= b.hitAt1 },
    { name: "no held-out answer served from a stored correction", ok: r.after.heldout.fromCorrections === 0 },
  ];
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
