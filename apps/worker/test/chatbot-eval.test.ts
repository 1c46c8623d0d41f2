// The ordering the evaluation must keep, on a small fixed case: the READMEs of the first eight
// packages of eval/packages.json (read from node_modules) and their questions. Before labels,
// the chatbot ranks held-out questions at least as well as BM25 over the same chunks; after
// labels on the training questions (given through the API's feedback.label as a labeler, with the { source } the console's form sends), at least
// as well as before. Offline provider: deterministic.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { packagesEval, runEvaluation } from "@motion/example-chatbot";
import { API_LABELER, apiLabeler } from "../src/chatbot-eval/api-labeler.ts";

describe("evaluation, small fixed case", () => {
  it("chatbot ≥ BM25 before labels, and after labels ≥ before", { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-chatbot-eval-"));
    try {
      const set = packagesEval(8);
      expect(set.documents.map((d) => d.url)).toEqual(["npm:picomatch", "npm:minimatch", "npm:ignore", "npm:is-glob", "npm:commander", "npm:optionator", "npm:superjson", "npm:msgpackr"]);
      const r = await runEvaluation({ databaseUrl: `file:${path.join(dir, "eval.db")}`, set, labeler: apiLabeler, labeledThrough: API_LABELER });
      expect(r.labels.through).toBe(API_LABELER);
      expect(r.labels.good + r.labels.bad).toBe(r.before.train.questions);
      expect(r.provider).toBe("local");
      expect(r.before.heldout.questions).toBeGreaterThanOrEqual(10);
      const bm25 = r.reference.bm25.heldout;
      expect(r.before.heldout.hitAt1).toBeGreaterThanOrEqual(bm25.hitAt1);
      expect(r.before.heldout.hitAt3).toBeGreaterThanOrEqual(bm25.hitAt3);
      expect(r.after.heldout.hitAt1).toBeGreaterThanOrEqual(r.before.heldout.hitAt1);
      expect(r.after.heldout.hitAt3).toBeGreaterThanOrEqual(r.before.heldout.hitAt3);
      // The labels were learned (a new version), and no held-out answer came from a stored correction.
      expect(r.versions.afterFeedback).toBeGreaterThan(r.versions.indexed);
      expect(r.after.heldout.fromCorrections).toBe(0);
      expect(r.after.train.hitAt1).toBeGreaterThanOrEqual(r.before.train.hitAt1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
