// Feedback must help on questions nobody labeled: mean hit@3 on held-out questions before and
// after a round of labels on a separate training set (the procedure of `npm run eval`, on the
// fixed split and three random re-splits).
import { describe, expect, it } from "vitest";
import { runPooled } from "../src/evaluation.ts";
import { tempDatabase } from "./helpers.ts";

describe("evaluation", () => {
  it("labels on training questions raise held-out hit@3", { timeout: 180_000 }, async () => {
    const db = tempDatabase("motion-chatbot-eval-");
    try {
      const pooled = await runPooled({ databaseUrl: db.url, splits: 3 });
      for (const r of pooled.runs) {
        expect(r.provider).toBe("local");
        expect(r.versions.afterFeedback).toBeGreaterThan(r.versions.indexed);
        expect(r.after.heldout.fromCorrections).toBe(0);
        expect(r.after.train.hitAt3).toBeGreaterThan(r.before.train.hitAt3);
      }
      expect(pooled.after).toBeGreaterThan(pooled.before);
    } finally {
      db.cleanup();
    }
  });
});
