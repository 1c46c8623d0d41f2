// The example end to end with the embedded local provider on a temporary SQLite database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Motion, ValidationError } from "@motion/engine";
import { chatbotApp, loadCorpus, SEED_ASKERS, SEED_QUESTIONS, SEED_USAGE, seedExample, TRIGGER, type AnswerOutput } from "../src/index.ts";
import { questionHistory } from "../src/question-history.ts";
import { docsEval } from "../src/evaluation.ts";
import { tempDatabase } from "./helpers.ts";

const db = tempDatabase();
let motion: Motion;

async function ask(text: string): Promise<{ id: string; output: AnswerOutput; stateVersion: number }> {
  const result = await motion.add("questions", { text });
  const inference = result.inferences.find((i) => i.trigger === TRIGGER)!;
  expect(inference.error).toBeNull();
  return { id: inference.id, output: inference.output as AnswerOutput, stateVersion: inference.stateVersion };
}

beforeAll(async () => {
  motion = await Motion.open({ app: chatbotApp, databaseUrl: db.url });
});

afterAll(async () => {
  await motion.close();
  db.cleanup();
});

describe("docs chatbot, local provider", () => {
  it("seeds once: documents indexed, questions answered, labels learned (≥ 2 new state versions)", async () => {
    const seeded = await seedExample(motion);
    const history = questionHistory();
    const rounds = 2 * SEED_QUESTIONS.length * SEED_ASKERS.length;
    expect(seeded).toMatchObject({ seeded: true, documents: loadCorpus().length, questions: 5 + rounds + history.length, labels: 2 + rounds, judged: 28 });
    expect(seeded.version).toBeGreaterThanOrEqual(3);
    // Compare has something to show: two versions with a round of labels each, and the second
    // (which learned from the first round's corrections) no worse.
    const { versions } = await motion.outcomes(TRIGGER, { limit: 50 });
    const labeled = versions.filter((v) => v.feedback.labeled >= SEED_QUESTIONS.length * SEED_ASKERS.length);
    expect(labeled.length, JSON.stringify(versions.map((v) => [v.version, v.feedback]))).toBeGreaterThanOrEqual(2);
    expect(labeled[0]!.feedback.goodRate!).toBeGreaterThanOrEqual(labeled[labeled.length - 1]!.feedback.goodRate!);
    // The drift view has a month of judged days, and the day the widget broke is flagged for its text.
    const partitions = await motion.drift.partitions("questions");
    const broken = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
    expect(partitions.filter((p) => p.status === "drift").map((p) => p.partition)).toEqual([broken]);
    expect(partitions.find((p) => p.partition === broken)!.columns.map((c) => c.column)).toContain("text");
    expect(partitions.filter((p) => p.status === "ok").length).toBeGreaterThanOrEqual(20);
    // The usage billing lines, stored as numbers: `amount > 20` compares them as numbers.
    expect(await motion.countRows({ relation: "usage" })).toBe(SEED_USAGE.length);
    const above = await motion.rows({ relation: "usage", filter: [{ field: "amount", op: "gt", value: 20 }], limit: 50 });
    expect(above.items.map((r) => (r.data as { amount: number }).amount).sort((a, b) => a - b)).toEqual(SEED_USAGE.map((u) => u.amount).filter((a) => a > 20).sort((a, b) => a - b));
    const again = await seedExample(motion);
    expect(again.seeded).toBe(false);
    expect(motion.activeVersion(TRIGGER)).toBe(seeded.version);
  });

  it("answers from the docs and cites the page that answers", async () => {
    const { output } = await ask("How do scripts authenticate to the API with a key?");
    expect(output.provider).toBe("local");
    expect(output.model).toBe("extractive-v2");
    expect(output.retrieval).toBe("hybrid");
    expect(output.sources.length).toBeGreaterThan(0);
    expect(output.sources.length).toBeLessThanOrEqual(4);
    expect(output.sources[0]!.url).toBe("docs/api.md");
    expect(output.sources[0]).toMatchObject({ title: "API" });
    expect(output.answer).toMatch(/Bearer/);
    expect(output.answer).toMatch(/\[1\]/);
    const other = await ask("What does the Review page let a labeler do?");
    expect(other.output.sources[0]!.url).toBe("docs/console.md");
  });

  it("says so when nothing in the docs matches", async () => {
    const { output } = await ask("zebra giraffe hippopotamus");
    expect(output.sources).toEqual([]);
    expect(output.answer).toMatch(/could not find/);
  });

  it("re-adding a document replaces its chunks: same text keeps the index size, new text replaces old chunks", async () => {
    const before = (await ask("What is a relation?")).output.index;
    const concepts = loadCorpus().find((d) => d.url === "docs/concepts.md")!;
    await motion.add("documents", concepts);
    await motion.flush();
    const same = await ask("What is a relation in Motion?");
    expect(same.output.index).toEqual(before);

    const edited = { ...concepts, text: `${concepts.text}\n\n## Quokkas\n\nA quokka relation is kept for the zoo example only.\n` };
    await motion.add("documents", edited);
    await motion.flush();
    const after = await ask("What is a quokka relation kept for?");
    expect(after.output.index.documents).toBe(before.documents);
    expect(after.output.index.chunks).toBe(before.chunks + 1);
    expect(after.output.sources[0]!.url).toBe("docs/concepts.md");
    expect(after.output.sources[0]!.chunk).toContain("quokka");
    // Only one copy of the page's chunks: no two sources with the same text.
    const texts = after.output.sources.map((s) => s.chunk);
    expect(new Set(texts).size).toBe(texts.length);

    await motion.add("documents", concepts);
    await motion.flush();
    expect((await ask("What is a quokka relation kept for?")).output.index).toEqual(before);
  });

  it("rejects a correction that does not match the declared schema, and writes nothing", async () => {
    const { id } = await ask("What is a trigger?");
    const start = motion.activeVersion(TRIGGER);
    const error = await motion.feedback(id, { label: "bad", actor: "test@example.com", correction: { source: 42 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toEqual(["correction", "source"]);
    const empty = await motion.feedback(id, { label: "bad", actor: "test@example.com", correction: {} }).catch((e: unknown) => e);
    expect((empty as ValidationError).message).toContain("a correction needs an answer, a source or both");
    // A source must be a document's url: a typo never teaches a page that does not exist.
    const unknown = await motion.feedback(id, { label: "bad", actor: "test@example.com", correction: { source: "docs/concept.md" } }).catch((e: unknown) => e);
    expect((unknown as ValidationError).issues[0]).toMatchObject({ path: ["correction", "source"], message: `no documents row has url "docs/concept.md"` });
    expect((await motion.correctionOptions(TRIGGER, ["source"], { search: "concept" })).items).toEqual([{ value: "docs/concepts.md", label: "Concepts" }]);
    await motion.flush();
    expect(motion.activeVersion(TRIGGER)).toBe(start);
  });

  it("feedback produces a new state version: the corrected source is learned, and reused for a near-duplicate", async () => {
    const start = motion.activeVersion(TRIGGER);
    // An operator's round of labels: training questions of the docs evaluation.
    const labeled = docsEval().questions.filter((x) => x.split === "train").slice(0, 12);
    expect(labeled.length).toBe(12);
    for (const { q, url } of labeled) {
      const { id, output } = await ask(q);
      if (output.sources[0]?.url === url) await motion.feedback(id, { label: "good", actor: "test@example.com" });
      else await motion.feedback(id, { label: "bad", actor: "test@example.com", correction: { source: url } });
    }
    // Corrected to a page it did not cite first, with an answer; then the console's old shape:
    // the original output with a new answer (its `sources` must not become the right page).
    const wrong = await ask("Which Node.js version does Motion need?");
    const right = "docs/troubleshooting.md";
    expect(wrong.output.sources[0]!.url).not.toBe(right);
    await motion.feedback(wrong.id, { label: "bad", actor: "test@example.com", correction: { answer: "Node.js 20.19 or newer.", source: right } });
    const consoleShaped = await ask("What does the Overview page of the console show?");
    await motion.feedback(consoleShaped.id, { label: "bad", actor: "test@example.com", correction: { ...consoleShaped.output, answer: "The triggers and their versions." } });
    await motion.flush();
    expect(motion.activeVersion(TRIGGER)).toBeGreaterThan(start);

    const duplicate = await ask("Which Node.js version does Motion need?");
    expect(duplicate.stateVersion).toBe(motion.activeVersion(TRIGGER));
    expect(duplicate.output.correctedFrom).toBe(wrong.id);
    expect(duplicate.output.answer).toBe("Node.js 20.19 or newer.");
    expect(duplicate.output.sources[0]!.url).toBe(right);
    // The answer-only correction is reused too, but it taught no page: the sources it had are
    // ranked as before, not pinned first because the output listed them.
    const again = await ask("What does the Overview page of the console show?");
    expect(again.output.correctedFrom).toBe(consoleShaped.id);
    expect(again.output.answer).toBe("The triggers and their versions.");
    // hit@3, the measure the evaluation uses: the docs are the corpus, so exact ranks move
    // whenever the documentation is edited.
    const next = await ask("How do scripts authenticate to the API using a key?");
    expect(next.output.sources.slice(0, 3).map((s) => s.url)).toContain("docs/api.md");
  });

  it("keeps state versions across a restart", async () => {
    const version = motion.activeVersion(TRIGGER);
    await motion.close();
    motion = await Motion.open({ app: chatbotApp, databaseUrl: db.url });
    expect(motion.activeVersion(TRIGGER)).toBe(version);
    expect((await seedExample(motion)).seeded).toBe(false);
    const { output, stateVersion } = await ask("What does the Review page let a labeler do?");
    expect(stateVersion).toBe(version);
    expect(output.sources.slice(0, 3).map((s) => s.url)).toContain("docs/console.md");
    const duplicate = await ask("Which Node.js version does Motion need?");
    expect(duplicate.output.answer).toBe("Node.js 20.19 or newer.");
  });
});
