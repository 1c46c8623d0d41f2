// `npx tsx scripts/drift-eval/tune.ts [threshold]`: Motion's scores on the tuning data only —
// birdstrikes seeds 0–49, weather seeds 0–49, and false alarms on clean synthetic years — for
// trying a change without looking at the held-out splits.
import { detectSeries } from "../../src/drift/detector.ts";
import { createAccumulator } from "../../src/drift/profile-accumulator.ts";
import { summarize } from "../../src/drift/summary.ts";
import { birdstrikes, syntheticYear, weather, type Dataset } from "./datasets.ts";
import { evaluate, scoresOf } from "./evaluate.ts";

const threshold = process.argv[2] ? Number(process.argv[2]) : undefined;
const detectOptions = threshold ? { threshold } : {};
for (const dataset of [birdstrikes(), weather()]) {
  const t = evaluate({ dataset, seeds: Array.from({ length: 50 }, (_, i) => i), detectOptions, methods: ["motion"] });
  const s = scoresOf(t.motion);
  console.log(`${dataset.name}: precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)} column precision ${s.columnPrecision.toFixed(3)} (tp ${t.motion.tp} fp ${t.motion.fp} fn ${t.motion.fn}); full-strength ${(t.motion.full.caught / t.motion.full.corrupted).toFixed(3)}`);
  console.log("  " + Object.entries(t.motion.byKind).map(([k, v]) => `${k} ${v.caught}/${v.corrupted}`).join(", "));
}
/** Flags on a clean year judged with the engine's own history rule (flagged partitions leave it). */
export function cleanFlags(dataset: Dataset): string {
  const inputs = dataset.partitions.map((p) => {
    const acc = createAccumulator();
    for (const row of p.rows) acc.add(row);
    return { partition: p.key, summary: summarize(acc) };
  });
  const verdicts = detectSeries(inputs, detectOptions);
  const by = new Map<string, number>();
  for (const v of verdicts) if (v.status === "drift") by.set(v.columns[0]!.statistic, (by.get(v.columns[0]!.statistic) ?? 0) + 1);
  return `${verdicts.filter((v) => v.status === "drift").length}/${verdicts.length} flagged ${JSON.stringify(Object.fromEntries(by))}`;
}
for (const [rows, seed] of [[100, 1], [100, 7], [1000, 3]] as const) console.log(`clean synthetic year, ${rows} rows/day, seed ${seed}: ${cleanFlags(syntheticYear(rows, seed))}`);
