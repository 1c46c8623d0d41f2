// The chatbot's retrieval evaluation: hit@k on held-out questions before and after a round of
// operator feedback on a separate training set. Used by scripts/evaluate.ts and the tests.

import fs from "node:fs";
import { Motion } from "@motion/engine";
import { chatbotApp, TRIGGER, type AnswerOutput } from "./app.ts";
import { loadCorpus, type CorpusDocument } from "./corpus.ts";

export interface EvalQuestion {
  q: string;
  url: string;
}

export interface QuestionSet {
  train: EvalQuestion[];
  heldout: EvalQuestion[];
}

export const QUESTIONS_FILE = new URL("../eval/questions.json", import.meta.url);

export function loadQuestions(file: URL | string = QUESTIONS_FILE): QuestionSet {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as QuestionSet;
  const train = new Set(parsed.train.map((x) => x.q.toLowerCase()));
  const leaked = parsed.heldout.filter((x) => train.has(x.q.toLowerCase()));
  if (leaked.length) throw new Error(`held-out questions also in the training set: ${leaked.map((x) => x.q).join("; ")}`);
  return parsed;
}

/** `n` seeded random re-splits of train + held-out into two halves. */
export function randomSplits(questions: QuestionSet, n: number, seed = 7): QuestionSet[] {
  const all = [...questions.train, ...questions.heldout];
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    const shuffled = all.map((q) => ({ q, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.q);
    const half = Math.floor(all.length / 2);
    return { train: shuffled.slice(0, half), heldout: shuffled.slice(half) };
  });
}

export interface SetScore {
  questions: number;
  hitAt1: number;
  hitAt3: number;
  mrr: number;
  /** Answers served from an operator correction (must stay 0 on held-out questions). */
  fromCorrections: number;
  misses: { q: string; expected: string; got: string[] }[];
}

export interface EvalResult {
  provider: string;
  documents: number;
  before: { heldout: SetScore; train: SetScore };
  after: { heldout: SetScore; train: SetScore };
  labels: { good: number; bad: number };
  versions: { indexed: number; afterFeedback: number };
  k: number;
}

async function score(motion: Motion, set: EvalQuestion[], k: number): Promise<{ score: SetScore; outputs: { inferenceId: string; output: AnswerOutput }[] }> {
  const results = await motion.addMany("questions", set.map((x) => ({ text: x.q, askedBy: "evaluation" })));
  let h1 = 0;
  let hk = 0;
  let rr = 0;
  let fromCorrections = 0;
  const misses: SetScore["misses"] = [];
  const outputs = results.map((r, i) => {
    const inference = r.inferences.find((x) => x.trigger === TRIGGER)!;
    if (inference.error) throw new Error(`infer failed on "${set[i]!.q}": ${inference.error}`);
    const output = inference.output as AnswerOutput;
    const urls = output.sources.map((s) => s.url);
    const expected = set[i]!.url;
    if (urls[0] === expected) h1++;
    if (urls.slice(0, k).includes(expected)) hk++;
    else misses.push({ q: set[i]!.q, expected, got: [...new Set(urls.slice(0, k))] });
    const at = urls.indexOf(expected);
    if (at >= 0) rr += 1 / (at + 1);
    if (output.correctedFrom) fromCorrections++;
    return { inferenceId: inference.id, output };
  });
  const n = set.length || 1;
  return { score: { questions: set.length, hitAt1: h1 / n, hitAt3: hk / n, mrr: rr / n, fromCorrections, misses }, outputs };
}

export interface EvalOptions {
  databaseUrl: string;
  questions?: QuestionSet;
  documents?: CorpusDocument[];
  k?: number;
}

/**
 * 1. index the docs; 2. score held-out and training questions; 3. label the training answers
 * as an operator would (good when the first source is the right page, otherwise bad with the
 * right page as the correction); 4. after the feedback fit, score both sets again.
 */
export async function runEvaluation(options: EvalOptions): Promise<EvalResult> {
  const questions = options.questions ?? loadQuestions();
  const documents = options.documents ?? loadCorpus();
  const k = options.k ?? 3;
  const motion = await Motion.open({ app: chatbotApp, databaseUrl: options.databaseUrl });
  try {
    await motion.addMany("documents", documents);
    await motion.flush();
    const indexed = motion.activeVersion(TRIGGER);
    const heldoutBefore = await score(motion, questions.heldout, k);
    const trainBefore = await score(motion, questions.train, k);
    const labels = { good: 0, bad: 0 };
    for (const [i, { inferenceId, output }] of trainBefore.outputs.entries()) {
      const expected = questions.train[i]!.url;
      if (output.sources[0]?.url === expected) {
        await motion.feedback(inferenceId, { label: "good", actor: "evaluation" });
        labels.good++;
      } else {
        await motion.feedback(inferenceId, { label: "bad", actor: "evaluation", correction: { url: expected }, note: `should cite ${expected}` });
        labels.bad++;
      }
    }
    await motion.flush();
    const afterFeedback = motion.activeVersion(TRIGGER);
    const heldoutAfter = await score(motion, questions.heldout, k);
    const trainAfter = await score(motion, questions.train, k);
    return {
      provider: (heldoutBefore.outputs[0]?.output.provider ?? "unknown") as string,
      documents: documents.length,
      before: { heldout: heldoutBefore.score, train: trainBefore.score },
      after: { heldout: heldoutAfter.score, train: trainAfter.score },
      labels,
      versions: { indexed, afterFeedback },
      k,
    };
  } finally {
    await motion.close();
  }
}

export interface PooledResult {
  runs: EvalResult[];
  /** Mean held-out hit@3 over the runs, before and after feedback. */
  before: number;
  after: number;
  worse: number;
  better: number;
}

/**
 * The fixed split plus `splits` seeded random re-splits: one split of 40 held-out questions
 * moves 2.5 points per question, so the decision uses the mean over all runs.
 */
export async function runPooled(options: Omit<EvalOptions, "questions"> & { questions?: QuestionSet; splits: number; onRun?: (r: EvalResult, i: number) => void }): Promise<PooledResult> {
  const questions = options.questions ?? loadQuestions();
  const sets = [questions, ...randomSplits(questions, options.splits)];
  const runs: EvalResult[] = [];
  for (const [i, set] of sets.entries()) {
    const r = await runEvaluation({ ...options, databaseUrl: i === 0 ? options.databaseUrl : `${options.databaseUrl}.split-${i}`, questions: set });
    runs.push(r);
    options.onRun?.(r, i);
  }
  const mean = (f: (r: EvalResult) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  return {
    runs,
    before: mean((r) => r.before.heldout.hitAt3),
    after: mean((r) => r.after.heldout.hitAt3),
    worse: runs.filter((r) => r.after.heldout.hitAt3 < r.before.heldout.hitAt3).length,
    better: runs.filter((r) => r.after.heldout.hitAt3 > r.before.heldout.hitAt3).length,
  };
}
