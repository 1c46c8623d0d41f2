// The detector beats both baselines on a small fixed case of the drift evaluation (GATE's
// corruptions on real data; docs/drift-eval.md has the full run).
import { describe, expect, it } from "vitest";
import { birdstrikes } from "../../scripts/drift-eval/datasets.ts";
import { evaluate, scoresOf } from "../../scripts/drift-eval/evaluate.ts";

const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

describe("drift evaluation, small fixed case", () => {
  it("Motion's detector is ahead of z-score ≥ 3 and Jensen–Shannon > 0.1", () => {
    const tallies = evaluate({ dataset: birdstrikes(), seeds: [2000, 2001, 2002, 2003] });
    const motion = scoresOf(tallies.motion);
    const z = scoresOf(tallies.zscore);
    const jsd = scoresOf(tallies.jsd);
    expect(tallies.motion.tp + tallies.motion.fn).toBeGreaterThan(30);
    for (const baseline of [z, jsd]) {
      // A baseline that flagged nothing has no precision (NaN) and an F1 of 0.
      const baseF1 = Number.isNaN(baseline.precision) ? 0 : f1(baseline.precision, baseline.recall);
      expect(f1(motion.precision, motion.recall)).toBeGreaterThan(baseF1);
      if (!Number.isNaN(baseline.precision)) expect(motion.precision).toBeGreaterThan(baseline.precision);
      if (!Number.isNaN(baseline.columnPrecision)) expect(motion.columnPrecision).toBeGreaterThan(baseline.columnPrecision);
    }
    // The z-score baseline flags plenty on this case, so the comparisons above are real.
    expect(z.precision).toBeGreaterThan(0);
    expect(motion.precision).toBeGreaterThanOrEqual(0.9);
    expect(motion.columnPrecision).toBeGreaterThanOrEqual(0.9);
  });
});
