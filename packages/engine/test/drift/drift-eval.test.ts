// The detector beats both baselines on a small fixed case of the drift evaluation (GATE's
// corruptions on real data; seeds outside the tuning split; docs/drift-eval.md has the full run).
import { describe, expect, it } from "vitest";
import { birdstrikes } from "../../scripts/drift-eval/datasets.ts";
import { evaluate, scoresOf } from "../../scripts/drift-eval/evaluate.ts";

const f1 = (p: number, r: number) => (Number.isNaN(p) || p + r === 0 ? 0 : (2 * p * r) / (p + r));

describe("drift evaluation, small fixed case", () => {
  const tallies = evaluate({ dataset: birdstrikes(), seeds: [2000, 2001, 2002, 2003] });
  const motion = scoresOf(tallies.motion);
  const z = scoresOf(tallies.zscore);
  const jsd = scoresOf(tallies.jsd);

  it("is a real test: many corruptions of several kinds, and clean partitions a careless method flags", () => {
    expect(tallies.motion.tp + tallies.motion.fn).toBeGreaterThanOrEqual(30);
    expect(Object.values(tallies.motion.byKind).filter((k) => k.corrupted > 0).length).toBeGreaterThanOrEqual(5);
    // z ≥ 3 catches nearly everything by flagging most clean partitions too.
    expect(z.recall).toBeGreaterThan(0.9);
    expect(tallies.zscore.fp).toBeGreaterThan(tallies.zscore.tp);
  });

  it("Motion's detector is ahead of z-score ≥ 3: far fewer false alarms, the right column, a better F1", () => {
    expect(motion.precision).toBeGreaterThanOrEqual(0.95);
    expect(motion.precision - z.precision).toBeGreaterThan(0.4);
    expect(motion.columnPrecision).toBeGreaterThanOrEqual(0.9);
    expect(motion.columnPrecision).toBeGreaterThan(z.columnPrecision);
    expect(f1(motion.precision, motion.recall)).toBeGreaterThan(f1(z.precision, z.recall) + 0.3);
  });

  it("Motion's detector is ahead of Jensen–Shannon > 0.1, which misses 5% corruptions", () => {
    expect(motion.recall).toBeGreaterThanOrEqual(0.75);
    expect(motion.recall - jsd.recall).toBeGreaterThan(0.5);
    expect(f1(motion.precision, motion.recall)).toBeGreaterThan(f1(jsd.precision, jsd.recall) + 0.5);
    // Corruptions that changed the full 5% of rows are caught at the target rate.
    expect(tallies.motion.full.caught / tallies.motion.full.corrupted).toBeGreaterThanOrEqual(0.85);
  });
});
