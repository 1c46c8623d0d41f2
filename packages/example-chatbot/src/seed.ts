// What `npm start` runs on a fresh database: ingest the docs, ask a few questions, label two
// answers, then two labeled rounds of the same questions on two successive versions — so the
// console opens on rows, inferences, feedback, several state versions, and a Compare view with
// labels on both sides of a fit that learned from them.

import type { Motion } from "@motion/engine";
import { TRIGGER, type AnswerOutput } from "./app.ts";
import { loadCorpus, type CorpusDocument } from "./corpus.ts";
import { questionHistory } from "./question-history.ts";
import { SEED_USAGE } from "./seed-usage.ts";

export interface SeedOptions {
  documents?: CorpusDocument[];
  /** Who the seed's labels are attributed to. */
  actor?: string;
  /** Days of imported question history for the drift view (default 28; 0 = none). */
  historyDays?: number;
  /**
   * Labeled rounds of the seed questions (default 2; 0 = none): each asks every seed question
   * once per asker in SEED_ASKERS and labels every answer by whether it cites the expected page,
   * then waits for the fit that learns from those labels, so each round's labels are on a newer version.
   */
  labelRounds?: number;
}

/** Who asks in each labeled round (distinct rows, so answers are stored, not cached). */
export const SEED_ASKERS = ["ana", "ben", "chloe", "dev"];

export interface SeedResult {
  seeded: boolean;
  reason?: string;
  documents: number;
  questions: number;
  labels: number;
  version: number;
  /** Partitions of the questions relation judged for drift after the seed. */
  judged: number;
}

/** Questions asked by the seed; `expect` is the page an answer should cite. */
export const SEED_QUESTIONS: { text: string; expect: string }[] = [
  { text: "What is a trigger in Motion?", expect: "docs/concepts.md" },
  { text: "How do I roll back the state of a trigger to an earlier version?", expect: "docs/operations.md" },
  { text: "Which roles can label inferences in the console?", expect: "docs/console.md" },
  { text: "What does Motion.open take as options?", expect: "docs/engine-api.md" },
  { text: "How do API clients authenticate?", expect: "docs/api.md" },
];

/**
 * Seeds the example once. A database whose `docs-qa` trigger has moved past its initial state
 * version has been seeded (or used) already, and is left alone.
 */
export async function seedExample(motion: Motion, options: SeedOptions = {}): Promise<SeedResult> {
  const actor = options.actor ?? "seed@motion.local";
  const current = motion.activeVersion(TRIGGER);
  if (current > 0) return { seeded: false, reason: `${TRIGGER} is at state version ${current} already`, documents: 0, questions: 0, labels: 0, version: current, judged: 0 };
  const docs = options.documents ?? loadCorpus();
  await motion.addMany("documents", docs);
  // Billing lines with a numeric amount, for the console's numeric filters.
  await motion.addMany("usage", SEED_USAGE);
  await motion.flush();
  let labels = 0;
  let asked = 0;
  for (const [i, q] of SEED_QUESTIONS.entries()) {
    const result = await motion.add("questions", { text: q.text, askedBy: actor });
    asked++;
    const inference = result.inferences.find((x) => x.trigger === TRIGGER);
    if (!inference || inference.error) continue;
    const output = inference.output as AnswerOutput;
    // Label the first two answers the way an operator would: approve a right one, correct a wrong one.
    if (i >= 2) continue;
    const right = output.sources[0]?.url === q.expect;
    await motion.feedback(inference.id, right
      ? { label: "good", actor, note: "cites the right page" }
      : { label: "bad", actor, correction: { source: q.expect }, note: `should cite ${q.expect}` });
    labels++;
  }
  // Labeled rounds: the first round's corrections teach the next version which page to cite,
  // so Compare (and its good-rate over versions) has labels on two versions that differ.
  for (let round = 0; round < (options.labelRounds ?? 2); round++) {
    await motion.flush();
    const rows = SEED_QUESTIONS.flatMap((q) => SEED_ASKERS.map((who) => ({ text: q.text, askedBy: `${who} (round ${round + 1})` })));
    const results = await motion.addMany("questions", rows);
    asked += rows.length;
    for (const [j, result] of results.entries()) {
      const q = SEED_QUESTIONS[Math.floor(j / SEED_ASKERS.length)]!;
      const inference = result.inferences.find((x) => x.trigger === TRIGGER);
      if (!inference || inference.error) continue;
      const right = (inference.output as AnswerOutput).sources[0]?.url === q.expect;
      await motion.feedback(inference.id, right
        ? { label: "good", actor, note: "cites the right page" }
        : { label: "bad", actor, correction: { source: q.expect }, note: `should cite ${q.expect}` });
      labels++;
    }
  }
  await motion.flush();
  // A month of imported questions (with their own times) gives the drift view a history.
  const history = questionHistory({ days: options.historyDays ?? 28 });
  for (let i = 0; i < history.length; i += 200) await motion.addMany("questions", history.slice(i, i + 200));
  asked += history.length;
  // Judge the closed days now (a background check may have begun already; this waits for it).
  await motion.drift.check("questions");
  const judged = (await motion.drift.partitions("questions")).filter((p) => p.status !== "open").length;
  await motion.flush();
  return { seeded: true, documents: docs.length, questions: asked, labels, version: motion.activeVersion(TRIGGER), judged };
}
